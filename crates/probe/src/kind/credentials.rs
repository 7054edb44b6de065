//! Credentials of every kind that sends them (`postgres`, `mysql`, `redis`, `oidc`,
//! `prometheus`, `graphql`, `websocket`, ...): where passwords and tokens come from, how
//! they become the observation's secrets, and how they are kept out of every message
//! (drivers echo connection URLs, and on authentication failures sometimes the password).

use std::path::Path;

use reqwest::Url;
use triage_core::Observation;
use triage_core::redact::{MASK, MIN_LITERAL_LEN, Redactor};

/// Refuses a probe that names two password sources.
pub(crate) fn validate_sources(env: Option<&str>, file: Option<&Path>) -> Result<(), String> {
    match (env, file) {
        (Some(_), Some(_)) => Err("set password_env or password_file, not both".into()),
        (Some(""), None) => Err("password_env is empty".into()),
        _ => Ok(()),
    }
}

/// The password from `password_env` or `password_file`, if either is set.
pub(crate) fn password(
    env: Option<&str>,
    file: Option<&Path>,
    max_bytes: usize,
) -> Result<Option<String>, String> {
    if let Some(name) = env {
        return match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => {
                Err(format!("password_env: variable {name} is not set"))
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(format!("password_env: variable {name} is not valid UTF-8"))
            }
        };
    }
    if let Some(path) = file {
        let bytes = super::tls_config::read_capped(path, max_bytes, "password_file")?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("password_file {} is not UTF-8", path.display()))?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()));
    }
    Ok(None)
}

/// Reads the bearer token from the variable `name` (when given), recording it as a secret.
pub(crate) fn bearer_token(
    name: Option<&str>,
    seen: &mut Observation,
) -> Result<Option<String>, String> {
    let Some(name) = name else { return Ok(None) };
    match std::env::var(name) {
        Ok(token) if !token.trim().is_empty() => {
            let token = token.trim().to_owned();
            seen.secrets.push(token.clone());
            Ok(Some(token))
        }
        Ok(_) => Err(format!("token_env {name}: the variable is empty")),
        Err(std::env::VarError::NotPresent) => {
            Err(format!("token_env {name}: the variable is not set"))
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("token_env {name}: the value is not valid unicode"))
        }
    }
}

/// Records the URL's password (as written and percent-decoded) as secrets of `seen`.
pub(crate) fn url_secrets(url: &Url, seen: &mut Observation) {
    if let Some(password) = url.password() {
        seen.secrets.push(password.to_owned());
        if let Ok(decoded) = percent_decode(password)
            && decoded != password
        {
            seen.secrets.push(decoded);
        }
    }
}

/// Records header values whose names look secret (`Authorization`, `X-Api-Key`).
pub(crate) fn header_secrets<'h>(
    headers: impl IntoIterator<Item = (&'h String, &'h String)>,
    seen: &mut Observation,
) {
    for (name, value) in headers {
        if triage_core::redact::is_secret_name(name) {
            seen.secrets.push(value.clone());
            // `Bearer xyz` also leaks as `xyz` alone.
            if let Some((_, credential)) = value.split_once(' ') {
                seen.secrets.push(credential.trim().to_owned());
            }
        }
    }
}

/// A connection URL (or any text holding one) fit to print: passwords masked, even in
/// text too broken to parse as a URL (`http//user:password@host`).
pub(crate) fn mask_url(text: &str) -> String {
    let redacted = Redactor::default().redact(text);
    mask_userinfo(&redacted)
}

/// The text between the last `:` before the first `@` and that `@`, masked.
fn mask_userinfo(text: &str) -> String {
    let Some(at) = text.find('@') else { return text.to_owned() };
    match text[..at].rfind(':') {
        Some(colon) if !text[colon + 1..at].contains('/') && colon + 1 < at => {
            format!("{}{MASK}{}", &text[..=colon], &text[at..])
        }
        _ => text.to_owned(),
    }
}

/// `text` with URL passwords, secret-looking pairs and every one of `secrets` masked:
/// what goes into [`Observation::error`] passes through here.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut redactor = Redactor::default();
    for secret in secrets {
        redactor.add_secret(secret);
    }
    redactor.redact(text).into_owned()
}

/// Decodes `%XX` escapes (a `%` without two hex digits stays as it is); `Err` when the
/// result is not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
}

/// Masks a probe's passwords in driver messages, which may echo the connection URL or,
/// on authentication failures, the password itself.
#[derive(Debug, Default)]
pub(crate) struct Scrubber {
    /// Every password this probe knows, as written; the redactor ignores short ones, this
    /// list does not.
    passwords: Vec<String>,
    redactor: Redactor,
}

impl Scrubber {
    /// A scrubber that already knows the password written in `url`, if any, even when the
    /// URL is too broken for the driver to parse.
    pub(crate) fn for_url(url: &str) -> Scrubber {
        let mut scrub = Scrubber::default();
        if let Some((_, rest)) = url.split_once("://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            if let Some((userinfo, _)) = authority.rsplit_once('@')
                && let Some((_, password)) = userinfo.split_once(':')
            {
                scrub.add(password);
                if let Ok(decoded) = percent_decode(password) {
                    scrub.add(&decoded);
                }
            }
        }
        scrub
    }

    /// Masks `password` from now on.
    pub(crate) fn add(&mut self, password: &str) {
        if !password.is_empty() && !self.passwords.iter().any(|p| p == password) {
            self.passwords.push(password.to_owned());
            self.passwords.sort_by_key(|p| std::cmp::Reverse(p.len()));
            self.redactor.add_secret(password);
        }
    }

    /// `text` with every known password and every credential-looking shape masked.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut text = self.redactor.redact(text).into_owned();
        for password in &self.passwords {
            // Short passwords are masked only where they sit in a URL's userinfo, so a
            // one-letter password does not garble the message.
            if password.len() < MIN_LITERAL_LEN {
                text = text.replace(&format!(":{password}@"), &format!(":{MASK}@"));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_masked_even_when_broken() {
        assert_eq!(mask_url("redis://:hunter22@h:6379"), "redis://:[REDACTED]@h:6379");
        assert_eq!(mask_url("http//u:hunter22@host/"), "http//u:[REDACTED]@host/");
        assert_eq!(mask_url("postgres://app@db/x"), "postgres://app@db/x");
        let url = Url::parse("http://admin:p%40ss%2Fw0rd@127.0.0.1:9/x").unwrap();
        assert_eq!(mask_url(url.as_str()), "http://admin:[REDACTED]@127.0.0.1:9/x");
    }

    #[test]
    fn secrets_of_urls_and_headers() {
        let url = Url::parse("http://admin:p%40ss%2Fw0rd@127.0.0.1:9/x").unwrap();
        let mut seen = Observation::default();
        url_secrets(&url, &mut seen);
        assert_eq!(seen.secrets, ["p%40ss%2Fw0rd", "p@ss/w0rd"]);
        let error = scrub("for url (http://admin:p%40ss%2Fw0rd@h/x): p@ss/w0rd", &seen.secrets);
        assert!(!error.contains("p%40ss") && !error.contains("p@ss/w0rd"), "{error}");
        let headers = [("Authorization".to_owned(), "Bearer abcdefgh".to_owned())];
        header_secrets(headers.iter().map(|(k, v)| (k, v)), &mut seen);
        assert!(seen.secrets.contains(&"abcdefgh".to_owned()));
        let error = bearer_token(Some("TRIAGE_TEST_SURELY_UNSET_VAR"), &mut seen).unwrap_err();
        assert_eq!(error, "token_env TRIAGE_TEST_SURELY_UNSET_VAR: the variable is not set");
        assert_eq!(bearer_token(None, &mut seen), Ok(None));
    }

    #[test]
    fn the_scrubber_masks_short_passwords_in_urls_only() {
        let mut scrub = Scrubber::for_url("mysql://u:p%21x@h/db");
        assert_eq!(scrub.scrub("bad p!x and p%21x"), "bad p!x and p%21x".replace("p%21x", MASK));
        scrub.add("ab");
        assert_eq!(scrub.scrub("mysql://u:ab@h ab"), "mysql://u:[REDACTED]@h ab");
        assert_eq!(percent_decode("100%"), Ok("100%".to_owned()));
    }
}
