// The codec server's one page: a browser signs in with the codec server token and is told how
// to point the Temporal UI here. Plain HTML, no script (the page's CSP allows none).
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface SignInPageInput {
  signedIn: boolean;
  /** This server's base URL as the browser reached it. */
  endpoint: string;
  /** Temporal UI origins allowed to call. */
  origins: string[];
  error?: string;
}

export function signInPage(input: SignInPageInput): string {
  const endpoint = escapeHtml(input.endpoint);
  const state = input.signedIn
    ? `<p class="ok">This browser is signed in: the Temporal UI can decode payloads through this server.</p>
       <form method="post" action="logout"><button>Sign out</button></form>`
    : `<form method="post" action="login">
         <label>Codec server token <input type="password" name="token" autocomplete="off" required autofocus></label>
         <button>Sign in</button>
       </form>
       <p>The token is in <code>.data/codec-server-token</code> on the machine that runs
       <code>npm run temporal</code> (or wherever <code>G2P_ONBOARD_CODEC_SERVER_TOKEN</code> points; on a
       <code>label token</code> line, only the part after the label). Five wrong tokens in a minute
       lock this address out for the rest of that minute.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>g2p-onboard codec server</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .2em}.ok{color:#146c2e}.error{color:#b00020}input{margin:0 .5em;width:22rem}</style></head>
<body>
<h1>g2p-onboard codec server</h1>
<p>Decodes the encrypted payloads of onboarding runs for the Temporal UI and CLI, for signed-in browsers and token holders only.</p>
${input.error ? `<p class="error">${escapeHtml(input.error)}</p>` : ''}
${state}
<h2>Temporal UI</h2>
<p>The UI must send this browser's session with its requests: in the UI, open <b>Codec Server</b> settings,
choose <b>Use my browser setting and ignore Cluster-level setting</b>, enter <code>${endpoint}</code>, turn on
<b>Include cross-origin credentials</b> and apply. (A UI deployed with <code>TEMPORAL_CODEC_ENDPOINT=${endpoint}</code> and
<code>TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true</code> needs none of this.) Use the UI under the same host name as this page.</p>
<p>Allowed UI origins: ${input.origins.map((o) => `<code>${escapeHtml(o)}</code>`).join(', ') || '(none)'}</p>
<h2>temporal CLI</h2>
<p><code>bin/temporal workflow show -w onboard-&lt;deploymentId&gt; --codec-endpoint ${endpoint} --codec-auth "Bearer $(cat .data/codec-server-token)"</code></p>
</body></html>
`;
}
