//! Secrets recognised by their own shape or by where a command puts them: private keys,
//! passwords in URLs, JWTs, tokens with a vendor prefix, password hashes, webhook URLs,
//! SQL, `.pgpass` lines and the password arguments of well-known commands.

use std::ops::Range;

use regex::Regex;

use super::names::{self, Strength};
use super::pairs;
use super::value::{self, Stop};

/// Adds the spans to mask for every match of a shape's regex in a text.
pub(crate) type Finder = fn(&Regex, &str, &mut Vec<Range<usize>>);

/// One kind of secret: the regex that finds it (also its entry in the prefilter) and the
/// code that turns each match into spans to mask.
pub(crate) struct Shape {
    pub(crate) pattern: String,
    pub(crate) find: Finder,
}

impl Shape {
    pub(crate) fn new(pattern: impl Into<String>, find: Finder) -> Self {
        Self { pattern: pattern.into(), find }
    }
}

/// Tokens whose prefix tells who issued them; masked whole wherever they appear.
const VENDOR_TOKENS: &[&str] = &[
    // AWS access key ids, and session tokens (base64 of their fixed binary header).
    r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
    r"(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9+/=%]{40,}",
    // Google: HMAC access ids, API keys, OAuth access and refresh tokens, client secrets.
    r"GOOG1[A-Z0-9]{30,}",
    r"AIza[0-9A-Za-z_-]{35}",
    r"ya29\.[0-9A-Za-z_-]{20,}",
    r"1//0[0-9A-Za-z_-]{30,}",
    r"GOCSPX-[0-9A-Za-z_-]{20,}",
    // GitHub, GitLab, Bitbucket and Atlassian.
    r"gh[pousr]_[A-Za-z0-9]{30,}",
    r"github_pat_[A-Za-z0-9_]{30,}",
    r"gl(?:pat|dt|rt|ptt|soat|cbt|imt|oas|ffct|ft)-[A-Za-z0-9_-]{20,}",
    r"glagent-[A-Za-z0-9_-]{40,}",
    r"GR1348941[A-Za-z0-9_-]{20,}",
    r"ATBB[A-Za-z0-9_=.-]{28,}",
    r"AT(?:ATT|CTT)3[A-Za-z0-9_=.-]{40,}",
    // Chat and mail.
    r"xox[abposre]-[A-Za-z0-9-]{10,}",
    r"xapp-\d-[A-Za-z0-9-]{10,}",
    r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
    r"key-[0-9a-f]{32}\b",
    // Payments.
    r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
    r"whsec_[A-Za-z0-9+/=]{20,}",
    r"sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}",
    r"shippo_(?:live|test)_[a-f0-9]{40}",
    // Package registries.
    r"npm_[A-Za-z0-9]{36}\b",
    r"pypi-AgE[A-Za-z0-9_-]{50,}",
    r"dckr_pat_[A-Za-z0-9_-]{20,}",
    // AI services.
    r"sk-ant-(?:api|admin|sid)\d\d-[A-Za-z0-9_-]{40,}",
    r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}",
    r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}",
    r"hf_[A-Za-z0-9]{30,}",
    r"r8_[A-Za-z0-9]{37}\b",
    r"gsk_[A-Za-z0-9]{50,}",
    r"xai-[A-Za-z0-9]{60,}",
    r"pplx-[A-Za-z0-9]{40,}",
    // Infrastructure and SaaS.
    r"hv[sbr]\.[A-Za-z0-9_-]{20,}",
    r"do[opr]_v1_[a-f0-9]{64}\b",
    r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b",
    r"sntr[ysu]_[A-Za-z0-9_=+/-]{30,}",
    r"dapi[a-f0-9]{32}\b",
    r"gl(?:c|sa)_[A-Za-z0-9_+/]{32,}={0,2}",
    r"lin_api_[A-Za-z0-9]{40}\b",
    r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
    r"pul-[a-f0-9]{40}\b",
    r"NRAK-[A-Z0-9]{27}\b",
    r"dp\.(?:pt|st|sa|ct)\.[A-Za-z0-9]{40,}",
    r"sbp_[a-f0-9]{40}\b",
    r"tskey-(?:api|auth|client)-[A-Za-z0-9-]{20,}",
    r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}",
    r"AKCp[A-Za-z0-9]{60,}",
    r"bkua_[a-f0-9]{40}\b",
    r"pscale_(?:tkn|pw)_[A-Za-z0-9_.-]{32,}",
    r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
];

/// Tokens told by a mark inside them rather than a prefix; each is a regex of its own, so
/// that the mark can be searched for first.
const MARKED_TOKENS: &[&str] = &[
    // Azure AD client secrets: three characters, a digit, `Q~`, then 31 to 34 more.
    r"\b[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}",
    // Terraform Cloud.
    r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}",
    // Telegram bots.
    r"\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}\b",
];

/// Every shape, in no particular order: their spans are merged before masking.
pub(crate) fn all() -> Vec<Shape> {
    let vendor = VENDOR_TOKENS.iter().map(|t| format!("(?:{t})")).collect::<Vec<_>>().join("|");
    let marked = MARKED_TOKENS.iter().map(|&t| Shape::new(t, whole_match));
    marked.chain([
        Shape::new(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", private_key_bodies),
        Shape::new(
            r"[A-Za-z][A-Za-z0-9+.-]*(?:://|:\\/\\/)[^\s:/@\x22'<>\\]*:[^\s/\x22'<>]*@",
            url_passwords,
        )
        ,
        Shape::new(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", whole_match),
        Shape::new(format!(r"\b(?:{vendor})"), whole_match),
        Shape::new(r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{8,})", first_group),
        Shape::new(r"(?i)\bbasic\s+([A-Za-z0-9+/]{12,}={0,2})", basic_credentials),
        Shape::new(PASSWORD_HASH, whole_match),
        Shape::new(
            r"hooks\.slack\.com/(?:services|workflows|triggers)/(?:[A-Za-z0-9_-]+/)*([A-Za-z0-9_-]{16,})",
            first_group,
        ),
        Shape::new(r"discord(?:app)?\.com/api/webhooks/\d+/([A-Za-z0-9_-]{30,})", first_group),
        Shape::new(
            r"(?i)\b(?:identified\s+(?:with\s+\S+\s+)?by|set\s+password\s+for\s+\S+\s*=|(?:with|login|encrypted|unencrypted)\s+password(?:\s*=)?)\s*",
            quoted_after,
        ),
        Shape::new(r"(?i)\bConvertTo-SecureString\s+(?:-String\s+)?", quoted_after),
        Shape::new(r"(?m)^[^:\s#]+:(?:\d+|\*):[^:\s]+:[^:\s]+:\S+$", pgpass_passwords),
        Shape::new(
            r#"(?i)(?:password|passwd|passphrase|secret|token|api[_-]?key)["']?\s+is\s+["']?([^\s"',;&}\]]+)"#,
            stated_in_prose,
        ),
        Shape::new(r#"(?i)\bvariable\s+"([^"]+)"\s*\{[^}]*?\bdefault\s*=\s*"#, variable_defaults),
        Shape::new(COMMANDS, command_arguments),
        Shape::new(
            r#"\becho\s+(?:-n\s+)?("[^"\n]*"|'[^'\n]*'|\S+)\s*\|\s*(?:sudo\s+-S|\S*passwd\s+--stdin|chpasswd|.*--password-stdin)"#,
            first_group_unquoted,
        ),
    ])
    .collect()
}

/// crypt(3), bcrypt, yescrypt, argon2 and LDAP password hashes.
const PASSWORD_HASH: &str = r"\$(?:1|5|6|apr1|md5)\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{16,}|\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$y\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{20,}|\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]{16,}|\{(?:SSHA|SSHA256|SSHA512|SHA|CRYPT|PBKDF2[-A-Z0-9]*)\}[A-Za-z0-9+/=.$]{8,}";

/// Commands that take a password in an argument of their own (see [`PASSWORD_FLAGS`]).
const COMMANDS: &str = r"\b(mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|mysqlsh|mysqlimport|docker|podman|nerdctl|buildah|skopeo|helm|oras|sshpass|twine|az|redis-cli|sqlcmd|bcp|isql|ldapsearch|ldapadd|ldapmodify|ldapdelete|ldapwhoami|ldappasswd|curl|mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport|ipmitool|zip|unzip|7z|ssh-keygen|smbclient|rpcclient|htpasswd|rabbitmqctl|net|vault)(?:\.exe)?\b";

/// How a command takes its password.
#[derive(Clone, Copy)]
enum Takes {
    /// `-pSECRET`, glued to the flag (`-p SECRET` would be a prompt then a database).
    Glued(&'static str),
    /// `-p SECRET` or `-pSECRET`.
    Next(&'static str),
    /// `-u user:SECRET`.
    UserColon(&'static str),
    /// `-U user%SECRET`.
    UserPercent(&'static str),
}

/// The password arguments of each command in [`COMMANDS`].
fn password_flags(command: &str) -> &'static [Takes] {
    match command {
        "mysql" | "mysqldump" | "mysqladmin" | "mariadb" | "mariadb-dump" | "mysqlsh"
        | "mysqlimport" => &[Takes::Glued("-p")],
        "docker" | "podman" | "nerdctl" | "buildah" | "skopeo" | "helm" | "oras" | "sshpass"
        | "twine" | "az" | "mongo" | "mongosh" | "mongodump" | "mongorestore" | "mongoexport"
        | "mongoimport" => &[Takes::Next("-p")],
        "redis-cli" => &[Takes::Next("-a")],
        "sqlcmd" | "bcp" | "isql" | "ipmitool" | "zip" | "unzip" => &[Takes::Next("-P")],
        "7z" => &[Takes::Glued("-p")],
        "ssh-keygen" => &[Takes::Next("-N"), Takes::Next("-P")],
        "ldapsearch" | "ldapadd" | "ldapmodify" | "ldapdelete" | "ldapwhoami" | "ldappasswd" => {
            &[Takes::Next("-w")]
        }
        "curl" => &[
            Takes::UserColon("-u"),
            Takes::UserColon("--user"),
            Takes::UserColon("-U"),
            Takes::UserColon("--proxy-user"),
        ],
        "smbclient" | "rpcclient" => &[Takes::UserPercent("-U"), Takes::UserPercent("--user")],
        _ => &[],
    }
}

fn whole_match(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    spans.extend(regex.find_iter(text).map(|m| m.range()));
}

fn first_group(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for caps in regex.captures_iter(text) {
        if let Some(m) = caps.get(1).filter(|m| !value::is_masked(m.as_str())) {
            spans.push(m.range());
        }
    }
}

/// The first group, inside its quotes if quoted.
fn first_group_unquoted(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for caps in regex.captures_iter(text) {
        let Some(m) = caps.get(1) else { continue };
        let quoted = m.as_str().starts_with(['"', '\'']) && m.len() >= 2;
        let span = if quoted { m.start() + 1..m.end() - 1 } else { m.range() };
        if !span.is_empty() && !value::is_masked(&text[span.clone()]) {
            spans.push(span);
        }
    }
}

/// `Basic dXNlcjpwYXNz` anywhere: masked when it decodes to `user:password`.
fn basic_credentials(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for caps in regex.captures_iter(text) {
        let Some(m) = caps.get(1) else { continue };
        let decoded = super::encoded::decode_base64(m.as_str());
        if decoded.is_some_and(|d| d.contains(':')) {
            spans.push(m.range());
        }
    }
}

/// The body of a PEM private key, between its BEGIN and END lines and after its headers
/// (`Proc-Type:`, `DEK-Info:`, `Comment:`), also in a string with `\n` escapes or indented
/// in a YAML block. An unterminated key is masked to the end of the text.
fn private_key_bodies(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for m in regex.find_iter(text) {
        let rest = &text[m.end()..];
        let end = rest.find("-----END ").map_or(text.len(), |i| m.end() + i);
        let mut start = m.end();
        loop {
            start = skip_line_break(text, start, end);
            let line_end = next_line_break(text, start, end);
            if !is_pem_header(&text[start..line_end]) {
                break;
            }
            start = line_end;
        }
        // From the first key character (past blank lines after the headers)...
        start += text[start..end].len() - text[start..end].trim_start().len();
        while text[start..end].starts_with("\\n") {
            start += 2;
        }
        // ...up to the END line: past trailing white space and written `\n`s.
        let mut body_end = start + text[start..end].trim_end().len();
        while text[start..body_end].ends_with("\\n") {
            body_end = start + text[start..body_end - 2].trim_end().len();
        }
        if body_end > start && !value::is_masked(&text[start..body_end]) {
            spans.push(start..body_end);
        }
    }
}

/// Past one line break (a newline or a written `\n`) and the next line's indentation.
fn skip_line_break(text: &str, mut at: usize, limit: usize) -> usize {
    let bytes = text.as_bytes();
    if text[at..limit].starts_with("\\n") || text[at..limit].starts_with("\r\n") {
        at += 2;
    } else if text[at..limit].starts_with('\n') {
        at += 1;
    }
    while at < limit && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

fn next_line_break(text: &str, at: usize, limit: usize) -> usize {
    let line = &text[at..limit];
    let newline = line.find(['\n', '\r']).unwrap_or(line.len());
    let escaped = line.find("\\n").unwrap_or(line.len());
    at + newline.min(escaped)
}

/// `Proc-Type: 4,ENCRYPTED`, `Comment: release key`: a PEM header line, not key material.
fn is_pem_header(line: &str) -> bool {
    let Some((name, _)) = line.split_once(": ") else { return false };
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The password of `scheme://user:password@host`, up to the last `@` before the host (a
/// raw `@` in a password is common), unless it is a placeholder or already masked.
fn url_passwords(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for m in regex.find_iter(text) {
        let userinfo = &text[m.start()..m.end() - 1];
        let after_scheme = match userinfo.find("://") {
            Some(i) => i + 3,
            None => userinfo.find(r":\/\/").map_or(0, |i| i + 5),
        };
        let Some(colon) = userinfo[after_scheme..].find(':') else { continue };
        let start = m.start() + after_scheme + colon + 1;
        let end = m.end() - 1;
        let password = &text[start..end];
        if !password.is_empty() && !value::is_masked(password) && !value::is_placeholder(password) {
            spans.push(start..end);
        }
    }
}

/// The password of a `.pgpass` line, `host:port:database:user:password`. Lines are read by
/// hand: the regex, with nothing literal to look for, would try every line start.
fn pgpass_passwords(_: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        if line.bytes().filter(|&b| b == b':').count() != 4 {
            continue;
        }
        let fields: Vec<&str> = line.split(':').collect();
        let port = fields[1] == "*"
            || !fields[1].is_empty() && fields[1].bytes().all(|b| b.is_ascii_digit());
        let plain = |f: &str| !f.is_empty() && !f.contains(char::is_whitespace);
        if port && fields.iter().all(|f| plain(f)) && !fields[0].starts_with('#') {
            let password = fields[4];
            if !value::is_masked(password) {
                spans.push(start + line.len() - password.len()..start + line.len());
            }
        }
    }
}

/// A quoted value right after the match: `IDENTIFIED BY 'x'`, `ConvertTo-SecureString 'x'`.
fn quoted_after(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for m in regex.find_iter(text) {
        let Some(found) = value::read(text, m.end(), Stop::Field) else { continue };
        if found.quoted && pairs::is_secret(&text[found.span.clone()], Strength::Strong, true) {
            spans.push(found.span);
        }
    }
}

/// `the password is hunter2`: masked unless the word after `is` is a plain word
/// (`the token is expired`, `the secret is masked in logs`).
fn stated_in_prose(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for caps in regex.captures_iter(text) {
        let Some(m) = caps.get(1) else { continue };
        let word = m.as_str().trim_end_matches(['.', '!', '?', ':', ')']);
        let mut letters = word.bytes();
        let first_is_letter = letters.next().is_some_and(|b| b.is_ascii_alphabetic());
        let plain = first_is_letter && letters.all(|b| b.is_ascii_lowercase());
        if !plain && !value::is_masked(word) && !value::is_placeholder(word) {
            spans.push(m.range());
        }
    }
}

/// `variable "db_password" { default = "x" }` in Terraform.
fn variable_defaults(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for caps in regex.captures_iter(text) {
        let (Some(name), Some(whole)) = (caps.get(1), caps.get(0)) else { continue };
        let Some(kind) = names::classify(name.as_str()) else { continue };
        let Some(found) = value::read(text, whole.end(), Stop::Field) else { continue };
        spans.extend(pairs::secret_spans(text, &found, kind));
    }
}

/// The password arguments of well-known commands (`mysql -pX`, `docker login -p X`,
/// `redis-cli -a X`, `curl -u user:X`, `htpasswd -b file user X`, `net use ... /user:u X`,
/// `vault login X`).
fn command_arguments(regex: &Regex, text: &str, spans: &mut Vec<Range<usize>>) {
    for whole in regex.find_iter(text) {
        // A command word: at the start of a command or a path, not inside `x-mysql-y`.
        let starts_command = text[..whole.start()]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || ";|&(/\\'\"".contains(c));
        if !starts_command || text[whole.end()..].starts_with(['-', '.', '_']) {
            continue;
        }
        let command = whole.as_str().trim_end_matches(".exe");
        if !worth_reading(command, &text[whole.end()..]) {
            continue;
        }
        let args = arguments(text, whole.end());
        match command {
            "htpasswd" => htpasswd_password(text, &args, spans),
            "net" => net_use_password(text, &args, spans),
            "vault" => vault_login_token(text, &args, spans),
            "rabbitmqctl" => rabbitmq_password(text, &args, spans),
            "docker" | "podman" | "nerdctl" | "buildah" | "skopeo" | "helm" | "oras"
                if !args.iter().any(|a| &text[a.clone()] == "login") => {}
            _ => flag_passwords(text, &args, password_flags(command), spans),
        }
    }
}

/// Whether the rest of a command's line can hold a password for it: `docker` only logs in
/// with one, `net` only in `net use`, `vault` in `vault login`.
fn worth_reading(command: &str, rest: &str) -> bool {
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    match command {
        "docker" | "podman" | "nerdctl" | "buildah" | "skopeo" | "helm" | "oras" => {
            line.contains(" login")
        }
        "net" => line.trim_start().starts_with("use "),
        "vault" => line.trim_start().starts_with("login "),
        "rabbitmqctl" | "htpasswd" => true,
        _ => !password_flags(command).is_empty() && line.contains(" -"),
    }
}

/// The arguments of a command starting at `from`, up to the end of the command (a line end
/// not escaped with `\`, `|`, `;`, `&&`), as spans of their text without quotes.
fn arguments(text: &str, from: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut args = Vec::new();
    let mut at = from;
    loop {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        if at + 1 < bytes.len() && bytes[at] == b'\\' && matches!(bytes[at + 1], b'\n' | b'\r') {
            at += 2;
            continue;
        }
        if at >= bytes.len() || matches!(bytes[at], b'\n' | b'\r' | b'|' | b';' | b'&' | b'>') {
            break;
        }
        let Some(found) = value::read(text, at, Stop::Space) else { break };
        let next = if found.quoted { closing_of(text, &found) } else { found.span.end };
        args.push(found.span);
        if next <= at {
            break;
        }
        at = next;
    }
    args
}

/// Where a quoted argument really ends: past its closing quote and any glued parts.
fn closing_of(text: &str, found: &value::Value) -> usize {
    let bytes = text.as_bytes();
    let mut end = found.span.end;
    while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
        end += 1;
    }
    end
}

fn flag_passwords(
    text: &str,
    args: &[Range<usize>],
    flags: &[Takes],
    spans: &mut Vec<Range<usize>>,
) {
    for (i, arg) in args.iter().enumerate() {
        let word = &text[arg.clone()];
        for &takes in flags {
            let span = match takes {
                Takes::Glued(flag) | Takes::Next(flag)
                    if word.len() > flag.len() && word.starts_with(flag) =>
                {
                    glued(text, arg, flag.len())
                }
                Takes::Next(flag) if word == flag => args.get(i + 1).cloned(),
                Takes::UserColon(flag) | Takes::UserPercent(flag) if word == flag => {
                    let separator = if matches!(takes, Takes::UserColon(_)) { ':' } else { '%' };
                    args.get(i + 1).and_then(|user| {
                        let at = text[user.clone()].find(separator)?;
                        Some(user.start + at + 1..user.end)
                    })
                }
                _ => None,
            };
            if let Some(span) = span.filter(|s| is_argument_secret(&text[s.clone()])) {
                spans.push(span);
            }
        }
    }
}

/// The value glued to a flag (`-pX`, `-p'X'"Y"`), read with its quotes.
fn glued(text: &str, arg: &Range<usize>, flag_len: usize) -> Option<Range<usize>> {
    let at = arg.start + flag_len;
    let found = value::read(text, at, Stop::Space)?;
    Some(found.span)
}

fn is_argument_secret(word: &str) -> bool {
    !word.starts_with('-') && pairs::is_secret(word, Strength::Strong, true)
}

/// `htpasswd -b[c] file user password`.
fn htpasswd_password(text: &str, args: &[Range<usize>], spans: &mut Vec<Range<usize>>) {
    let batch = args.iter().any(|a| {
        let w = &text[a.clone()];
        w.starts_with('-') && !w.starts_with("--") && w.contains('b')
    });
    let positional: Vec<&Range<usize>> =
        args.iter().filter(|a| !text[(*a).clone()].starts_with('-')).collect();
    if batch && positional.len() >= 3 && is_argument_secret(&text[positional[2].clone()]) {
        spans.push(positional[2].clone());
    }
}

/// `net use \\server\share password /user:domain\user` in either order.
fn net_use_password(text: &str, args: &[Range<usize>], spans: &mut Vec<Range<usize>>) {
    if args.first().is_none_or(|a| !text[a.clone()].eq_ignore_ascii_case("use")) {
        return;
    }
    for arg in args.iter().skip(1) {
        let word = &text[arg.clone()];
        if word.starts_with('/') || word.starts_with("\\\\") || word == "*" || word.ends_with(':') {
            continue;
        }
        if is_argument_secret(word) {
            spans.push(arg.clone());
        }
    }
}

/// `vault login TOKEN`.
fn vault_login_token(text: &str, args: &[Range<usize>], spans: &mut Vec<Range<usize>>) {
    if args.first().is_some_and(|a| &text[a.clone()] == "login")
        && let Some(token) = args.get(1).filter(|t| value::looks_random(&text[(*t).clone()]))
    {
        spans.push(token.clone());
    }
}

/// `rabbitmqctl add_user user password`, `rabbitmqctl change_password user password`.
fn rabbitmq_password(text: &str, args: &[Range<usize>], spans: &mut Vec<Range<usize>>) {
    let sub = args.first().map(|a| &text[a.clone()]);
    if matches!(sub, Some("add_user" | "change_password"))
        && let Some(password) = args.get(2).filter(|p| is_argument_secret(&text[(*p).clone()]))
    {
        spans.push(password.clone());
    }
}
