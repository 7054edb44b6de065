//! Which names (variables, config keys, headers, flags, columns) hold a secret.
//!
//! A name is cut into lower-case words (`DB_PASSWORD`, `dbPassword` and `db.password` all give
//! `db`, `password`) and read like an English noun phrase: the last secret word is the head
//! (`password_min_length` is a length, not a password; `key-store-password` is a password),
//! and words before it can cancel it (`max_tokens`, `publishable_key`).

/// How sure a name is to hold a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strength {
    /// `password`, `token`, `api_key`...: any real value is a secret.
    Strong,
    /// `key`, `session`, `auth`, `sig`...: the value is a secret only when it looks random
    /// (`key: api-key` names another key, `key: cfs_4FtRK...` is one).
    Weak,
}

/// What the value of a secret name looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A secret value.
    Plain,
    /// An `Authorization` value: a scheme (`Bearer`, `Basic`...) then the credentials.
    Authorization,
    /// A `Cookie` header: `name=value` pairs, of which only session-like ones are secret.
    Cookie,
}

/// The verdict on a secret name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SecretName {
    pub(crate) strength: Strength,
    pub(crate) role: Role,
}

/// Words that make a name secret on their own, in English and a few other languages.
const STRONG_WORDS: &[&str] = &[
    "password", "passwords", "passwd", "passphrase", "pass", "passe", "pwd", "secret", "secrets",
    "token", "tokens", "apikey", "apitoken", "credential", "credentials", "creds", "salt",
    "bearer", "dockerconfigjson", "dockercfg", "passwort", "kennwort", "contrasena", "contraseña",
    "senha", "wachtwoord", "passord", "losenord", "salasana", "haslo", "hasło", "heslo", "jelszo",
    "jelszó", "sifre", "şifre", "lozinka", "пароль", "密码",
];

/// Words that make a name secret when its value also looks random.
const WEAK_WORDS: &[&str] =
    &["key", "keys", "session", "sessionid", "sessid", "sid", "auth", "sig", "signature", "code"];

/// Words that, put before `key`, make a strong name (`api_key`, `signing-key`, `masterKey`).
const STRONG_KEY_KINDS: &[&str] = &[
    "api", "private", "secret", "signing", "encryption", "master", "auth", "hmac", "client",
    "webhook", "license", "pass", "ssh", "session", "jwt", "decryption", "crypt",
];

/// Words that end one-word names meaning a secret: `requirepass`, `keystorepass`,
/// `dbpassword`, `nextauthsecret`, `apikey`.
const SECRET_SUFFIXES: &[&str] = &[
    "password", "passwd", "passphrase", "secret", "token", "apikey", "secretkey", "privatekey",
    "accesskey", "masterkey", "signingkey", "authkey", "storepass", "keypass", "requirepass",
    "passwort", "kennwort",
];

/// Words that cancel a secret word they follow: the name is about the secret, it does not
/// hold it (`password_file`, `token_ttl`, `secret_name`, `credsStore`).
const QUALIFIERS: &[&str] = &[
    "file", "files", "path", "dir", "directory", "length", "len", "size", "ttl", "expiry",
    "expires", "expiration", "expire", "timeout", "age", "type", "types", "kind", "name", "names",
    "uri", "url", "endpoint", "host", "format", "mode", "enabled", "enable", "disabled",
    "required", "policy", "reset", "min", "max", "count", "limit", "header", "param", "field",
    "prompt", "hint", "label", "ref", "source", "env", "var", "variable", "stdin", "location",
    "store", "provider", "helper", "command", "cmd", "version", "algorithm", "alg", "rotation",
    "interval", "period", "lifetime", "duration", "strength", "complexity", "regex", "pattern",
    "index", "retries", "attempts", "status", "state", "scope", "scopes", "issuer", "audience",
    "user", "username", "login", "email", "owner", "warning", "ok", "error", "valid", "seconds",
    "minutes", "id_token_hint", "usage", "used", "exchange", "manager", "vault", "backend",
    "service", "method", "hash_algorithm", "level", "less", "policies",
];

/// Words that, before a secret word, say the name counts or switches something.
const NEGATING_PREFIXES: &[&str] = &[
    "max", "min", "num", "no", "allow", "enable", "disable", "use", "has", "is", "show", "hide",
    "skip", "ignore", "require", "total", "number", "expected", "missing", "invalid", "empty",
];

/// Words anywhere in a name that make it public (`STRIPE_PUBLISHABLE_KEY`).
const PUBLIC_WORDS: &[&str] = &["public", "publishable", "pub"];

/// One-word names that would look secret but are not (`OLDPWD` is the shell's previous
/// working directory; `PWD` is left to the path check, as `pwd` is also a password).
const NOT_SECRET: &[&str] = &["oldpwd", "bypass", "compass", "passthrough"];

/// Whether `name` holds a secret, and how sure that is.
pub(crate) fn classify(name: &str) -> Option<SecretName> {
    let words = words(name);
    if words.len() == 1 && NOT_SECRET.contains(&words[0].as_str()) {
        return None;
    }
    if words.iter().any(|w| PUBLIC_WORDS.contains(&w.as_str())) {
        return None;
    }
    let (head, strength) = words.iter().enumerate().rev().find_map(|(i, w)| {
        let previous = i.checked_sub(1).map(|p| words[p].as_str());
        secret_word(w, previous).map(|strength| (i, strength))
    })?;
    if words[head + 1..].iter().any(|w| QUALIFIERS.contains(&w.as_str())) {
        return None;
    }
    if words[..head].first().is_some_and(|w| NEGATING_PREFIXES.contains(&w.as_str())) {
        return None;
    }
    let role = match words[head].as_str() {
        w if w.starts_with("authori") => Role::Authorization,
        _ if words[head..].iter().any(|w| w.ends_with("cookie")) => Role::Cookie,
        _ => Role::Plain,
    };
    // Any strong word in the name makes it strong (`secret_key_base`, `session_token`).
    let strength = if words[..=head].iter().enumerate().any(|(i, w)| {
        let previous = i.checked_sub(1).map(|p| words[p].as_str());
        secret_word(w, previous) == Some(Strength::Strong)
    }) {
        Strength::Strong
    } else {
        strength
    };
    Some(SecretName { strength, role })
}

/// Whether one word of a name is a secret word, given the word before it.
fn secret_word(word: &str, previous: Option<&str>) -> Option<Strength> {
    if word.starts_with("authori") || word.ends_with("cookie") {
        return Some(Strength::Strong);
    }
    if STRONG_WORDS.contains(&word) {
        return Some(Strength::Strong);
    }
    if word == "key" && previous.is_some_and(|p| STRONG_KEY_KINDS.contains(&p)) {
        return Some(Strength::Strong);
    }
    if WEAK_WORDS.contains(&word) {
        return Some(Strength::Weak);
    }
    if word.len() > 4 && !NOT_SECRET.contains(&word) {
        if SECRET_SUFFIXES.iter().any(|s| word.ends_with(s)) {
            return Some(Strength::Strong);
        }
        if word.ends_with("pwd") && word != "oldpwd" {
            return Some(Strength::Strong);
        }
    }
    None
}

/// The lower-case words of a name: cut at every character that is not a letter or digit and
/// between camelCase humps (`XMLHttpToken` gives `xml`, `http`, `token`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let hump = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if hump && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("DB_PASSWORD", Some(Strength::Strong))]
    #[case("dbPassword", Some(Strength::Strong))]
    #[case("key-store-password", Some(Strength::Strong))]
    #[case("requirepass", Some(Strength::Strong))]
    #[case("mot_de_passe", Some(Strength::Strong))]
    #[case("datenbank.passwort", Some(Strength::Strong))]
    #[case("SECRET_KEY_BASE", Some(Strength::Strong))]
    #[case("x-api-key", Some(Strength::Strong))]
    #[case("masterKey", Some(Strength::Strong))]
    #[case("routing_key", Some(Strength::Weak))]
    #[case("key", Some(Strength::Weak))]
    #[case("_auth", Some(Strength::Weak))]
    #[case("password_min_length", None)]
    #[case("passwordless", None)]
    #[case("token_expiry_seconds", None)]
    #[case("max_tokens", None)]
    #[case("secretName", None)]
    #[case("DB_PASSWORD_FILE", None)]
    #[case("STRIPE_PUBLISHABLE_KEY", None)]
    #[case("credsStore", None)]
    #[case("tokenizer", None)]
    #[case("keyboard_layout", None)]
    #[case("OLDPWD", None)]
    #[case("pwd", Some(Strength::Strong))]
    #[case("smtp_auth_username", None)]
    #[case("no-auth-warning", None)]
    #[case("password-stdin", None)]
    #[case("monkey", None)]
    fn names(#[case] name: &str, #[case] want: Option<Strength>) {
        assert_eq!(classify(name).map(|n| n.strength), want, "{name}");
    }

    #[rstest]
    #[case("Authorization", Role::Authorization)]
    #[case("proxy-authorization", Role::Authorization)]
    #[case("Set-Cookie", Role::Cookie)]
    #[case("RABBITMQ_ERLANG_COOKIE", Role::Cookie)]
    #[case("client_secret", Role::Plain)]
    fn roles(#[case] name: &str, #[case] want: Role) {
        assert_eq!(classify(name).map(|n| n.role), Some(want), "{name}");
    }

    #[test]
    fn camel_case_and_separators_cut_words() {
        assert_eq!(words("XMLHttpToken"), ["xml", "http", "token"]);
        assert_eq!(words("APP__DATABASE__PASSWORD"), ["app", "database", "password"]);
        assert_eq!(
            words("-Djavax.net.ssl.keyStorePassword"),
            ["djavax", "net", "ssl", "key", "store", "password"]
        );
    }
}
