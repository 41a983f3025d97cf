import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { antMatch, isValidRedirectUrl, matchesRegisteredRedirectUri } from '../../sandbox/esignet/urls.js';

describe('e-Signet stand-in redirect URI rules', () => {
  it('accepts app schemes, localhost and wildcard patterns at registration, and refuses malformed URIs', () => {
    for (const ok of [
      'https://openg2p.example.org/auth_oauth/signin',
      'io.mosip.residentapp://oauth',
      'http://localhost:5000/**',
      'http://127.0.0.1:8069/auth_oauth/signin?x=1',
    ]) {
      assert.equal(isValidRedirectUrl(ok), true, ok);
    }
    for (const bad of [
      'not a url',
      '/relative/path',
      'https://exa mple.org/cb',
      'https://openg2p.example.org//double',
      'http://localhost:99999/cb',
      '',
    ]) {
      assert.equal(isValidRedirectUrl(bad), false, bad);
    }
  });

  it('matches registered patterns the way Spring AntPathMatcher does', () => {
    assert.equal(antMatch('http://localhost:5000/**', 'http://localhost:5000/a/b/c'), true);
    assert.equal(antMatch('http://localhost:3000/registration/*', 'http://localhost:3000/registration/step1'), true);
    assert.equal(antMatch('http://localhost:3000/registration/*', 'http://localhost:3000/registration/a/b'), false);
    assert.equal(antMatch('https://x.org/cb', 'https://x.org/cb/'), false);
    assert.equal(matchesRegisteredRedirectUri(['https://x.org/cb'], 'https://x.org/cb'), true);
    assert.equal(matchesRegisteredRedirectUri(['https://x.org/cb'], 'https://x.org/cb2'), false);
    assert.equal(matchesRegisteredRedirectUri(['https://x.org/**'], 'https://y.org/cb'), false);
  });
});
