// Passkeys (WebAuthn), loaded by app.js on pages with a passkey form. Without this script, or
// in a browser without WebAuthn, those forms stay hidden and the page says passkeys need
// JavaScript. With it, pressing the form's button asks the server for the ceremony's options
// (JSON, binary values in base64url), lets the browser make or use the passkey, and posts the
// browser's answer (the same JSON shape) in the form's "credential" field. The server checks
// everything and answers with a page: a cancelled or failed ceremony posts an empty answer,
// which it explains by the button.

const fromB64 = (s) => {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
};

const toB64 = (buf) => {
  let bin = "";
  for (const b of new Uint8Array(buf)) {
    bin += String.fromCharCode(b);
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const descriptors = (list) => (list || []).map((c) => ({ ...c, id: fromB64(c.id) }));

const creationOptions = (o) => ({
  ...o,
  challenge: fromB64(o.challenge),
  user: { ...o.user, id: fromB64(o.user.id) },
  excludeCredentials: descriptors(o.excludeCredentials),
});

const requestOptions = (o) => ({
  ...o,
  challenge: fromB64(o.challenge),
  allowCredentials: descriptors(o.allowCredentials),
});

// answer is the browser's credential as JSON, as PublicKeyCredential.toJSON() gives it where
// the browser has it.
const answer = (cred) => {
  const r = cred.response;
  const json = { id: cred.id, rawId: toB64(cred.rawId), type: cred.type, response: { clientDataJSON: toB64(r.clientDataJSON) },
    clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {} };
  if (cred.authenticatorAttachment) {
    json.authenticatorAttachment = cred.authenticatorAttachment;
  }
  if (r.attestationObject) {
    json.response.attestationObject = toB64(r.attestationObject);
    json.response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    json.response.authenticatorData = toB64(r.authenticatorData);
    json.response.signature = toB64(r.signature);
    if (r.userHandle) {
      json.response.userHandle = toB64(r.userHandle);
    }
  }
  return json;
};

const ceremony = async (form) => {
  const res = await fetch(form.dataset.passkeyOptions, { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!res.ok) {
    return "";
  }
  const options = (await res.json()).publicKey;
  const cred = form.dataset.passkey === "create"
    ? await navigator.credentials.create({ publicKey: creationOptions(options) })
    : await navigator.credentials.get({ publicKey: requestOptions(options) });
  return cred ? JSON.stringify(answer(cred)) : "";
};

if (window.PublicKeyCredential && navigator.credentials) {
  for (const note of document.querySelectorAll("[data-passkey-nojs]")) {
    note.hidden = true;
  }
  for (const form of document.querySelectorAll("form[data-passkey]")) {
    form.hidden = false;
    let busy = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      const field = form.querySelector("input[name=credential]");
      field.value = "";
      const name = form.querySelector("input[name=name]");
      // A passkey without a name is not made: the server says so by the field.
      if (!name || name.value.trim() !== "") {
        try {
          field.value = await ceremony(form);
        } catch {
          field.value = ""; // cancelled, timed out, or refused by the browser
        }
      }
      form.submit();
    });
  }
}
