// The approvals page's HTML: sign-in, enrollment, and the runs awaiting the signed-in approver
// with their evidence. Rendered on the server, every value escaped; the only scripts are the
// page's own (browser-script.ts) and SimpleWebAuthn's browser bundle, both served by the page
// itself (the Content-Security-Policy allows nothing else).
import type { RunEvidence } from './evidence.js';

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(title: string, body: string, csrf = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf" content="${escapeHtml(csrf)}">
<title>${escapeHtml(title)} · g2p-onboard approvals</title>
<link rel="stylesheet" href="/assets/page.css">
<script src="/assets/webauthn.js" defer></script>
<script src="/assets/page.js" defer></script>
</head>
<body>
<header><strong>g2p-onboard</strong> · approvals</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function signInPage(): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>Partner Admins decide on OpenG2P onboardings here with their passkey. Sign in with the passkey you enrolled; there is no password.</p>
<p><button type="button" data-action="signin">Sign in with your passkey</button></p>
<p id="message" role="status"></p>
<p>No passkey for this page yet? <a href="/enroll">Enroll one</a>.</p>`,
  );
}

export function enrollPage(origin: string): string {
  return layout(
    'Enroll a passkey',
    `<h1>Enroll a passkey</h1>
<ol>
<li>Enter your name as the worker's identity registry knows you (the name specs list under <code>approval.approvers</code>).</li>
<li>Create the passkey: your browser asks for your security key, phone or this device's screen lock.</li>
<li>Send the entry this page prints to the worker's operator. It adds it to the worker policy's <code>identities</code> and restarts the workers; runs started from then on accept your decisions.</li>
</ol>
<p><label for="name">Your name in the registry</label> <input id="name" name="name" autocomplete="username" pattern="\\S{1,64}" required></p>
<p><button type="button" data-action="enroll">Create a passkey for ${escapeHtml(origin)}</button></p>
<p id="message" role="status"></p>
<section id="entry" hidden>
<h2>Your entry for the worker's identity registry</h2>
<p>Public data only: the credential id and public key. If your name is already in the registry, add the <code>webauthn</code> item to your entry.</p>
<pre id="entry-yaml"></pre>
</section>
<p><a href="/">Back to sign-in</a></p>`,
  );
}

const time = (iso: string | undefined) => (iso ? escapeHtml(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')) : '—');

function row(label: string, value: string): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

function runCard(e: RunEvidence): string {
  const certificates = e.certificates.length
    ? `<ul>${e.certificates
        .map(
          (c) =>
            `<li>${escapeHtml(c.partnerId)}: <code class="fingerprint">sha256:${escapeHtml(c.fingerprint)}</code><br>valid ${time(c.notBefore)} to ${time(c.notAfter)}</li>`,
        )
        .join('')}</ul>`
    : '—';
  const checks = e.prerequisites.length
    ? `<ul class="checks">${e.prerequisites
        .map((c) => `<li>${c.ok ? '✓' : '✗'} <strong>${escapeHtml(c.name)}</strong>: ${escapeHtml(c.evidence)}</li>`)
        .join('')}</ul>`
    : '—';
  const decisions = e.decisions.length
    ? `<ul>${e.decisions
        .map(
          (d) =>
            `<li>${escapeHtml(d.decision)} by ${escapeHtml(d.approver)} at ${time(d.at)}${d.comment ? `: “${escapeHtml(d.comment)}”` : ''}</li>`,
        )
        .join('')}</ul>`
    : '';
  return `<article class="run" data-workflow-id="${escapeHtml(e.workflowId)}">
<h2>${escapeHtml(e.deploymentId)}</h2>
<table>
${row('Deployment', `${escapeHtml(e.deploymentId)} <small>(${escapeHtml(e.workflowId)})</small>`)}
${row('Organisation', escapeHtml(e.organisation))}
${row('Auth Partner', `${escapeHtml(e.authPartner.id)} — ${escapeHtml(e.authPartner.organisation)}, ${escapeHtml(e.authPartner.email)}`)}
${row('MISP Partner', `${escapeHtml(e.mispPartner.id)} — ${escapeHtml(e.mispPartner.organisation)}, ${escapeHtml(e.mispPartner.email)}`)}
${row('Policy', `${escapeHtml(e.policy)} <small>(group ${escapeHtml(e.policyGroup)}${e.mappingKey ? `, mapping ${escapeHtml(e.mappingKey)}` : ''})</small>`)}
${row('Certificates', certificates)}
${row('Prerequisites', checks)}
${row('Started by', `${escapeHtml(e.startedBy)} at ${time(e.startedAt)}`)}
${row('Reminders sent', `${e.remindersSent}${e.escalated ? ' (escalated)' : ''}`)}
${row('Decisions', `<span class="tally">${e.approvals} of ${e.required} approval${e.required === 1 ? '' : 's'}</span> from ${escapeHtml(e.approvers.join(', '))}${decisions}`)}
${row('Deadline', time(e.deadline))}
</table>
<form class="decision" data-workflow-id="${escapeHtml(e.workflowId)}">
<p><label>Comment (required to reject)<br><textarea name="comment" rows="2" maxlength="2000"></textarea></label></p>
<p><button type="button" data-decision="approve">Approve with your passkey</button>
<button type="button" data-decision="reject">Reject with your passkey</button></p>
<p class="outcome" role="status"></p>
</form>
</article>`;
}

export function runsPage(approver: string, csrf: string, runs: RunEvidence[], problem?: string): string {
  return layout(
    'Awaiting your decision',
    `<p class="who">Signed in as <strong>${escapeHtml(approver)}</strong> <button type="button" data-action="signout">Sign out</button></p>
<h1>Awaiting your decision</h1>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
${runs.length ? runs.map(runCard).join('\n') : '<p>Nothing awaits your decision.</p>'}
<p class="note">Your passkey signs the decision itself (run, decision, comment, time); the onboarding workflow checks that signature against the worker's identity registry before it counts.</p>`,
    csrf,
  );
}

export const PAGE_CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:.6rem 1rem}
main{max-width:60rem;margin:1rem auto;padding:0 1rem}
article.run{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}th{text-align:left;vertical-align:top;width:10rem;padding:.25rem .5rem .25rem 0}
td{padding:.25rem 0}ul{margin:.2rem 0;padding-left:1.2rem}code.fingerprint{font-size:.8rem;word-break:break-all}
pre{background:#fff;border:1px solid #d0d7de;padding:.8rem;overflow:auto}
button{font:inherit;padding:.4rem .8rem;cursor:pointer}textarea{width:100%;font:inherit}
[data-state=error]{color:#cf222e}[data-state=ok]{color:#1a7f37}.problem{color:#cf222e}.note{color:#57606a;font-size:.9rem}
`;
