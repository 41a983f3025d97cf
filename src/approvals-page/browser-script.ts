// The approvals page's own script, served as /assets/page.js: it runs the WebAuthn ceremonies
// through SimpleWebAuthn's browser bundle (/assets/webauthn.js) and posts JSON with the session's
// CSRF token. For a decision it shows the payload the passkey signs: its hash is the challenge.
export const PAGE_SCRIPT = `'use strict';
(() => {
  const { startAuthentication, startRegistration } = window.SimpleWebAuthnBrowser;
  const csrf = document.querySelector('meta[name="csrf"]')?.content ?? '';
  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body ?? {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || 'the page answered HTTP ' + response.status);
    return data;
  }
  function say(element, text, ok) {
    element.textContent = text;
    element.dataset.state = ok ? 'ok' : 'error';
  }
  const message = document.getElementById('message');

  document.querySelector('[data-action="signin"]')?.addEventListener('click', async () => {
    try {
      const options = await post('/api/signin/options');
      const response = await startAuthentication({ optionsJSON: options });
      await post('/api/signin/verify', { response });
      location.assign('/');
    } catch (err) {
      say(message, 'Not signed in: ' + err.message, false);
    }
  });

  document.querySelector('[data-action="enroll"]')?.addEventListener('click', async () => {
    const name = document.getElementById('name').value.trim();
    if (!name) return say(message, 'Enter your name as the registry knows you.', false);
    try {
      const options = await post('/api/enroll/options', { name });
      const response = await startRegistration({ optionsJSON: options });
      const entry = await post('/api/enroll/verify', { response });
      document.getElementById('entry-yaml').textContent = entry.yaml;
      document.getElementById('entry').hidden = false;
      say(message, 'Passkey created for ' + entry.name + '. Send the entry below to the worker operator.', true);
    } catch (err) {
      say(message, 'No passkey enrolled: ' + err.message, false);
    }
  });

  document.querySelector('[data-action="signout"]')?.addEventListener('click', async () => {
    await post('/api/signout').catch(() => undefined);
    location.assign('/');
  });

  for (const form of document.querySelectorAll('form.decision')) {
    const outcome = form.querySelector('.outcome');
    for (const button of form.querySelectorAll('button[data-decision]')) {
      button.addEventListener('click', async () => {
        const decision = button.dataset.decision;
        const workflowId = form.dataset.workflowId;
        const comment = form.elements.comment.value.trim() || undefined;
        try {
          const { payload, options } = await post('/api/decisions/options', { workflowId, decision, comment });
          say(outcome, 'Your passkey signs: ' + payload, true);
          const response = await startAuthentication({ optionsJSON: options });
          const record = await post('/api/decisions', { workflowId, decision, payload, response });
          say(outcome, (decision === 'approve' ? 'Approved' : 'Rejected') + ': the workflow recorded your signed decision at ' + record.at + '.', true);
          for (const b of form.querySelectorAll('button')) b.disabled = true;
        } catch (err) {
          say(outcome, 'Not recorded: ' + err.message, false);
        }
      });
    }
  }
})();
`;
