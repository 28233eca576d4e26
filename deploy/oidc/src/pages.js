// The provider's pages: plain server-rendered HTML with inline styles, no script and no external asset, in Bahasa
// Indonesia by default and English on request (the authorization request's ui_locales, else Accept-Language).
const TEXT = {
  id: {
    title: 'Masuk ke Sinergi',
    intro: 'Masuk dengan akun lembaga Anda.',
    username: 'Nama pengguna',
    password: 'Kata sandi',
    submit: 'Masuk',
    problem: 'Ada masalah',
    wrong: 'Nama pengguna atau kata sandi salah.',
    missingUsername: 'Masukkan nama pengguna.',
    missingPassword: 'Masukkan kata sandi.',
    locked: 'Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 5 menit.',
    logoutTitle: 'Keluar dari Sinergi?',
    logoutYes: 'Ya, keluar',
    logoutNo: 'Tidak, tetap masuk',
    loggedOut: 'Anda sudah keluar dari Sinergi.',
    errorTitle: 'Permintaan masuk tidak dapat diproses',
    errorBody: 'Kembali ke aplikasi dan coba masuk lagi.',
  },
  en: {
    title: 'Sign in to Sinergi',
    intro: 'Sign in with your agency account.',
    username: 'User name',
    password: 'Password',
    submit: 'Sign in',
    problem: 'There is a problem',
    wrong: 'The user name or password is wrong.',
    missingUsername: 'Enter your user name.',
    missingPassword: 'Enter your password.',
    locked: 'Too many failed attempts to sign in. Try again in 5 minutes.',
    logoutTitle: 'Sign out of Sinergi?',
    logoutYes: 'Yes, sign out',
    logoutNo: 'No, stay signed in',
    loggedOut: 'You have signed out of Sinergi.',
    errorTitle: 'The sign-in request cannot be handled',
    errorBody: 'Go back to the application and sign in again.',
  },
};

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;padding:1rem;line-height:1.5;color:#0b0c0c}
main{max-width:28rem;margin:0 auto}label{display:block;font-weight:700;margin-top:1rem}
input{display:block;width:100%;box-sizing:border-box;font-size:1.1rem;padding:.4rem;border:2px solid #0b0c0c}
input:focus,button:focus,a:focus{outline:3px solid #fd0;outline-offset:0}
button{margin-top:1.5rem;margin-right:.5rem;font-size:1.1rem;padding:.5rem 1rem;border:0;background:#00703c;color:#fff}
button.secondary{background:#dbdad9;color:#0b0c0c}
.error-summary{border:4px solid #d4351c;padding:1rem;margin-bottom:1rem}.error-summary a{color:#d4351c;font-weight:700}
.error-message{color:#d4351c;font-weight:700;margin:0}input.error{border-color:#d4351c}`;

export function language(acceptLanguage, uiLocales) {
  const wanted = [...(uiLocales || '').split(' '), ...(acceptLanguage || '').split(',')]
    .map((part) => part.split(';')[0].trim().toLowerCase().split('-')[0])
    .filter(Boolean);
  const first = wanted.find((code) => code in TEXT);
  return first || 'id';
}

export function escape(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

function page(lang, title, body) {
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="main">
${body}
</main>
</body>
</html>`;
}

// The sign-in form. ``errors`` maps a field (username, password) to a message key; what was typed as the user
// name is kept, the password never.
export function signInPage({ lang, action, username = '', errors = {} }) {
  const t = TEXT[lang];
  const fields = Object.keys(errors);
  const summary = fields.length === 0 ? '' : `
<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">${t.problem}</h2>
<ul>${fields.map((field) => `<li><a href="#${field}">${t[errors[field]]}</a></li>`).join('')}</ul>
</div>`;
  const field = (name, type, autocomplete, value) => {
    const error = errors[name];
    const describedBy = error ? ` aria-describedby="${name}-error" aria-invalid="true"` : '';
    return `
<label for="${name}">${t[name]}</label>
${error ? `<p class="error-message" id="${name}-error">${t[error]}</p>` : ''}
<input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" spellcheck="false"
 ${error ? 'class="error"' : ''}${describedBy} value="${escape(value)}" required>`;
  };
  return page(lang, `${fields.length ? `${t.problem}: ` : ''}${t.title}`, `${summary}
<h1>${t.title}</h1>
<p>${t.intro}</p>
<form method="post" action="${escape(action)}" novalidate>
${field('username', 'text', 'username', username)}
${field('password', 'password', 'current-password', '')}
<button type="submit">${t.submit}</button>
</form>`);
}

// RP-initiated logout: oidc-provider's form (its action and xsrf token) with our buttons.
export function logoutPage({ lang, form }) {
  const t = TEXT[lang];
  return page(lang, t.logoutTitle, `<h1>${t.logoutTitle}</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">${t.logoutYes}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t.logoutNo}</button>`);
}

export function loggedOutPage({ lang }) {
  const t = TEXT[lang];
  return page(lang, t.loggedOut, `<h1>${t.loggedOut}</h1>`);
}

// The error code only (from the OAuth error registry); never a description that could quote the request.
export function errorPage({ lang, error }) {
  const t = TEXT[lang];
  return page(lang, t.errorTitle, `<h1>${t.errorTitle}</h1>
<p>${t.errorBody}</p>
<p><code>${escape(error)}</code></p>`);
}
