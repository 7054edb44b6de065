//! Reading a step's shell text into the simple commands it would run.
//!
//! This is not a shell parser: it must read any text a guide holds, invalid shell and
//! placeholders included, and never fail, because a step it cannot read must still be
//! judged (see CONVENTIONS.md). It finds every simple command, in pipelines, `&&`/`||`/`;`
//! chains, loops, subshells, command and process substitutions (read recursively, as
//! commands of their own), with its words unquoted, its redirections and the text a
//! here-document or here-string feeds it.

/// A redirection of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// The operator: `>`, `>>`, `>|`, `&>`, `&>>`, `<`, `<>`, `>&`, `<&`.
    pub op: &'static str,
    /// The word after it (`&2` style duplications keep their `&`).
    pub target: String,
}

impl Redirect {
    /// Whether it writes to a file (not a duplication, not `/dev/null` and the like).
    pub fn writes_file(&self) -> bool {
        matches!(self.op, ">" | ">>" | ">|" | "&>" | "&>>" | "<>")
            && !self.target.starts_with('&')
            && !matches!(
                self.target.as_str(),
                "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty" | "-"
            )
            && !self.target.starts_with("/dev/fd/")
    }

    /// Whether it appends rather than truncates.
    pub fn appends(&self) -> bool {
        matches!(self.op, ">>" | "&>>")
    }
}

/// One simple command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Command {
    /// Its words, unquoted, leading `NAME=value` assignments removed.
    pub words: Vec<String>,
    /// Its redirections.
    pub redirects: Vec<Redirect>,
    /// What a here-document or here-string gives its standard input.
    pub stdin: Option<String>,
    /// Whether a word was a `NAME=value` assignment with no command (`X=1` alone).
    pub assigns_only: bool,
}

/// Commands joined by `|`.
pub(crate) type Pipeline = Vec<Command>;

/// Every pipeline of `text`, those of command substitutions after the one holding them.
/// Calls of the functions the text defines (`name() { ...; }`) are left out: their bodies
/// are read where they are defined.
pub(crate) fn read(text: &str) -> Vec<Pipeline> {
    let mut reader =
        Reader { chars: text.chars().collect(), pos: 0, out: Vec::new(), functions: Vec::new() };
    reader.script();
    let Reader { mut out, functions, .. } = reader;
    if !functions.is_empty() {
        for pipeline in &mut out {
            pipeline.retain(|c| c.words.first().is_none_or(|w| !functions.contains(w)));
        }
        out.retain(|p| !p.is_empty());
    }
    out
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
    out: Vec<Pipeline>,
    /// Names of the functions defined so far.
    functions: Vec<String>,
}

/// Heredocs waiting for the end of their line: (delimiter, strip tabs, command index in
/// the current pipeline or the finished pipelines).
struct Pending {
    delimiter: String,
    strip_tabs: bool,
    /// `(pipeline index in out, command index)`, or `None` for the command being built.
    at: Slot,
}

#[derive(Clone, Copy)]
enum Slot {
    /// `out[pipeline][command]`.
    Done(usize, usize),
    /// `pipeline[command]` of the pipeline being read.
    Current(usize),
    /// The command being read.
    Building,
}

const KEYWORDS_BEFORE: &[&str] =
    &["if", "then", "else", "elif", "do", "while", "until", "!", "time", "{", "exec", "coproc"];
const KEYWORDS_ALONE: &[&str] = &["fi", "done", "esac", "}", "then", "else", "do", "in"];

impl Reader {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn script(&mut self) {
        let mut pipeline: Pipeline = Vec::new();
        let mut command = Command::default();
        let mut pending: Vec<Pending> = Vec::new();
        let mut word_start = true;
        // After `case WORD in` and each `;;`, the words up to `)` are a pattern.
        let mut case_pattern = false;
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' => {
                    self.pos += 1;
                    word_start = true;
                }
                '\\' if self.peek(1) == Some('\n') => self.pos += 2,
                '\n' => {
                    self.pos += 1;
                    // Here-documents start on the next line.
                    for p in pending.drain(..) {
                        let body = self.heredoc(&p.delimiter, p.strip_tabs);
                        let target = match p.at {
                            Slot::Done(i, j) => &mut self.out[i][j],
                            Slot::Current(j) => &mut pipeline[j],
                            Slot::Building => &mut command,
                        };
                        target.stdin = Some(body);
                    }
                    self.end_command(&mut pipeline, &mut command, &mut pending, true);
                    word_start = true;
                }
                '#' if word_start => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                '(' if command.words.len() == 1
                    && command.redirects.is_empty()
                    && command.stdin.is_none()
                    && pending.is_empty()
                    && self.closes_at_once() =>
                {
                    // `name() { ... }`: a definition; the body follows as commands.
                    let name = command.words.pop().unwrap_or_default();
                    self.functions.push(name);
                    command = Command::default();
                    word_start = true;
                }
                ';' | '&' | '|' | '(' | ')' => {
                    let next = self.peek(1);
                    self.pos += 1;
                    match (c, next) {
                        ('&', Some('>')) => {
                            self.pos += 1;
                            let op = if self.peek(0) == Some('>') {
                                self.pos += 1;
                                "&>>"
                            } else {
                                "&>"
                            };
                            let target = self.word_after();
                            command.redirects.push(Redirect { op, target });
                        }
                        ('|', Some('&')) | ('|', _) if next != Some('|') => {
                            if next == Some('&') {
                                self.pos += 1;
                            }
                            self.end_command(&mut pipeline, &mut command, &mut pending, false);
                        }
                        (')', _) if case_pattern => {
                            command = Command::default();
                            case_pattern = false;
                        }
                        _ => {
                            if matches!((c, next), ('|', Some('|')) | ('&', Some('&'))) {
                                self.pos += 1;
                            }
                            if (c, next) == (';', Some(';')) {
                                self.pos += 1;
                                case_pattern = true;
                            }
                            self.end_command(&mut pipeline, &mut command, &mut pending, true);
                        }
                    }
                    word_start = true;
                }
                '<' if word_start && self.placeholder_len() > 0 => {
                    // `<POD_NAME>` in a guide stands for a word the reader fills in.
                    let len = self.placeholder_len();
                    let word: String = self.chars[self.pos..self.pos + len].iter().collect();
                    self.pos += len;
                    command.words.push(word);
                    word_start = false;
                }
                '<' | '>' => {
                    self.redirect(&mut command, &mut pending);
                    word_start = true;
                }
                _ => {
                    let word = self.word();
                    // An all-digit word right before `<` or `>` is a file descriptor.
                    if word.chars().all(|c| c.is_ascii_digit())
                        && matches!(self.peek(0), Some('<' | '>'))
                    {
                        continue;
                    }
                    if command.words.is_empty() && is_assignment(&word) {
                        command.assigns_only = true;
                        continue;
                    }
                    if command.words.is_empty() {
                        if word == "case" {
                            case_pattern = true;
                        }
                        if KEYWORDS_BEFORE.contains(&word.as_str())
                            || (command.redirects.is_empty()
                                && KEYWORDS_ALONE.contains(&word.as_str()))
                        {
                            continue;
                        }
                    }
                    command.words.push(word);
                    word_start = false;
                }
            }
        }
        // Here-documents never closed take the rest (already consumed); attach nothing.
        self.end_command(&mut pipeline, &mut command, &mut pending, true);
    }

    /// Ends the command being read; `pipeline_ends` also ends its pipeline.
    fn end_command(
        &mut self,
        pipeline: &mut Pipeline,
        command: &mut Command,
        pending: &mut [Pending],
        pipeline_ends: bool,
    ) {
        let mut done = std::mem::take(command);
        // Loop headers: `for x in a b c` and `case $x in` name data, not commands. Lines
        // of pasted output, YAML or lists (`Events:`, `server:`, `- item`) are no
        // commands either: no program is named that way.
        if done.words.first().is_some_and(|w| {
            matches!(w.as_str(), "for" | "select" | "case")
                || (w.len() > 1 && w.ends_with(':'))
                || w.starts_with('-')
        }) {
            done.words.clear();
        }
        let keep = !done.words.is_empty()
            || !done.redirects.is_empty()
            || done.stdin.is_some()
            || done.assigns_only;
        if keep {
            for p in pending.iter_mut() {
                if matches!(p.at, Slot::Building) {
                    p.at = Slot::Current(pipeline.len());
                }
            }
            pipeline.push(done);
        }
        if pipeline_ends && !pipeline.is_empty() {
            let index = self.out.len();
            for p in pending.iter_mut() {
                if let Slot::Current(j) = p.at {
                    p.at = Slot::Done(index, j);
                }
            }
            self.out.push(std::mem::take(pipeline));
        }
    }

    fn redirect(&mut self, command: &mut Command, pending: &mut Vec<Pending>) {
        let c = self.peek(0).unwrap_or('>');
        self.pos += 1;
        if c == '<' && self.peek(0) == Some('(') || c == '>' && self.peek(0) == Some('(') {
            // Process substitution: a command of its own; the word is a file name.
            self.pos += 1;
            let inner = self.balanced(')');
            self.nested(&inner);
            command.words.push("/dev/fd/63".to_owned());
            return;
        }
        let op: &'static str = match (c, self.peek(0)) {
            ('<', Some('<')) => {
                self.pos += 1;
                if self.peek(0) == Some('<') {
                    self.pos += 1;
                    let text = self.word_after();
                    command.stdin = Some(text);
                    return;
                }
                let strip_tabs = self.peek(0) == Some('-');
                if strip_tabs {
                    self.pos += 1;
                }
                let delimiter = self.word_after();
                pending.push(Pending { delimiter, strip_tabs, at: Slot::Building });
                return;
            }
            ('<', Some('>')) => {
                self.pos += 1;
                "<>"
            }
            ('<', Some('&')) => {
                self.pos += 1;
                "<&"
            }
            ('<', _) => "<",
            ('>', Some('>')) => {
                self.pos += 1;
                ">>"
            }
            ('>', Some('|')) => {
                self.pos += 1;
                ">|"
            }
            ('>', Some('&')) => {
                self.pos += 1;
                ">&"
            }
            _ => ">",
        };
        let mut target = self.word_after();
        if op == ">&" || op == "<&" {
            target.insert(0, '&');
        }
        command.redirects.push(Redirect { op, target });
    }

    /// The length of a placeholder such as `<pod-name>` or `<PID>` at the cursor (a name
    /// of letters, digits, `_`, `-`, `.` or `:` in angle brackets, followed by the end of a
    /// word); 0 if there is none.
    fn placeholder_len(&self) -> usize {
        let mut k = 1;
        while self
            .peek(k)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        {
            k += 1;
        }
        let named = k > 1 && self.peek(1).is_some_and(|c| c.is_ascii_alphabetic());
        let closed = self.peek(k) == Some('>');
        let ends = self.peek(k + 1).is_none_or(|c| {
            c.is_whitespace() || matches!(c, ';' | '|' | '&' | ')' | '"' | '\'' | '/')
        });
        if named && closed && ends { k + 1 } else { 0 }
    }

    /// Whether the `(` at the cursor is closed right away (`()`, spaces allowed) and a
    /// function body follows; if so, both parentheses are consumed.
    fn closes_at_once(&mut self) -> bool {
        let mut k = 1;
        while matches!(self.peek(k), Some(' ' | '\t')) {
            k += 1;
        }
        if self.peek(k) != Some(')') {
            return false;
        }
        // A definition's body is a compound command: `name() { ...; }` or `name() (...)`.
        let mut b = k + 1;
        while matches!(self.peek(b), Some(' ' | '\t' | '\n')) {
            b += 1;
        }
        let defines = matches!(self.peek(b), Some('{' | '('));
        if defines {
            self.pos += k + 1;
        }
        defines
    }

    /// The word after an operator, spaces skipped.
    fn word_after(&mut self) -> String {
        while matches!(self.peek(0), Some(' ' | '\t')) {
            self.pos += 1;
        }
        self.word()
    }

    /// One word, unquoted; substitutions inside it are read as commands of their own.
    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '<' | '>' | ')' => break,
                '(' if !w.ends_with('=') && !w.ends_with('@') && !w.ends_with('?') => break,
                // A quote never closed is taken as a character: what follows it is still
                // read as commands, not hidden as text.
                '\'' | '"' if !self.closes(c) => {
                    w.push(c);
                    self.pos += 1;
                }
                '\'' => {
                    self.pos += 1;
                    while let Some(c) = self.peek(0) {
                        self.pos += 1;
                        if c == '\'' {
                            break;
                        }
                        w.push(c);
                    }
                }
                '"' => {
                    // Where to come back to if a substitution inside swallows the closing
                    // quote: the quote is then a character like any unclosed one.
                    let (quote_at, word_len, read) = (self.pos, w.len(), self.out.len());
                    let mut closed = false;
                    self.pos += 1;
                    while let Some(c) = self.peek(0) {
                        match c {
                            '"' => {
                                self.pos += 1;
                                closed = true;
                                break;
                            }
                            '\\' => {
                                self.pos += 1;
                                if let Some(n) = self.peek(0) {
                                    if !matches!(n, '"' | '\\' | '$' | '`' | '\n') {
                                        w.push('\\');
                                    }
                                    if n != '\n' {
                                        w.push(n);
                                    }
                                    self.pos += 1;
                                }
                            }
                            '$' | '`' => self.dollar(&mut w),
                            _ => {
                                w.push(c);
                                self.pos += 1;
                            }
                        }
                    }
                    if !closed {
                        self.pos = quote_at + 1;
                        w.truncate(word_len);
                        w.push('"');
                        self.out.truncate(read);
                    }
                }
                '\\' => {
                    self.pos += 1;
                    if let Some(n) = self.peek(0) {
                        if n != '\n' {
                            w.push(n);
                        }
                        self.pos += 1;
                    }
                }
                '$' | '`' => self.dollar(&mut w),
                '(' => {
                    // `x=(a b)` arrays, `@(..)` globs: kept as text.
                    self.pos += 1;
                    let inner = self.balanced(')');
                    w.push('(');
                    w.push_str(&inner);
                    w.push(')');
                }
                _ => {
                    w.push(c);
                    self.pos += 1;
                }
            }
        }
        w
    }

    /// `$(...)`, `` `...` ``, `$((...))`, `${...}` or a plain `$`.
    fn dollar(&mut self, w: &mut String) {
        let c = self.peek(0);
        if c == Some('`') {
            self.pos += 1;
            let mut inner = String::new();
            while let Some(c) = self.peek(0) {
                self.pos += 1;
                match c {
                    '`' => break,
                    '\\' => {
                        if let Some(n) = self.peek(0) {
                            inner.push(n);
                            self.pos += 1;
                        }
                    }
                    _ => inner.push(c),
                }
            }
            self.nested(&inner);
            w.push_str(&substituted(&inner));
            return;
        }
        match (self.peek(1), self.peek(2)) {
            (Some('('), Some('(')) => {
                self.pos += 3;
                let inner = self.balanced(')');
                if self.peek(0) == Some(')') {
                    self.pos += 1;
                }
                w.push_str("$((");
                w.push_str(&inner);
                w.push_str("))");
            }
            (Some('('), _) => {
                self.pos += 2;
                let inner = self.balanced(')');
                self.nested(&inner);
                w.push_str(&substituted(&inner));
            }
            (Some('{'), _) => {
                self.pos += 2;
                let inner = self.balanced('}');
                w.push_str("${");
                w.push_str(&inner);
                w.push('}');
            }
            _ => {
                w.push('$');
                self.pos += 1;
            }
        }
    }

    /// The text up to the `close` matching an opening just consumed (quotes respected);
    /// the closing character is consumed.
    fn balanced(&mut self, close: char) -> String {
        let open = if close == ')' { '(' } else { '{' };
        let mut depth = 1;
        let mut text = String::new();
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '\'' | '"' => {
                    text.push(c);
                    while let Some(q) = self.peek(0) {
                        self.pos += 1;
                        text.push(q);
                        if q == '\\' && c == '"' {
                            if let Some(n) = self.peek(0) {
                                text.push(n);
                                self.pos += 1;
                            }
                        } else if q == c {
                            break;
                        }
                    }
                }
                '\\' => {
                    text.push(c);
                    if let Some(n) = self.peek(0) {
                        text.push(n);
                        self.pos += 1;
                    }
                }
                _ if c == open => {
                    depth += 1;
                    text.push(c);
                }
                _ if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    text.push(c);
                }
                _ => text.push(c),
            }
        }
        text
    }

    /// Reads `inner` as a script of its own; its pipelines join the output.
    fn nested(&mut self, inner: &str) {
        self.out.extend(read(inner));
    }

    /// Whether the quote at the cursor is closed later in the text.
    fn closes(&self, quote: char) -> bool {
        let mut k = 1;
        while let Some(c) = self.peek(k) {
            if c == quote {
                return true;
            }
            k += if c == '\\' && quote == '"' { 2 } else { 1 };
        }
        false
    }

    /// The lines of a here-document up to its delimiter line, consumed. A here-document
    /// never closed gives nothing and its lines are read as commands, so that a missing
    /// delimiter cannot hide them.
    fn heredoc(&mut self, delimiter: &str, strip_tabs: bool) -> String {
        let start = self.pos;
        let mut closed = false;
        let mut body = String::new();
        loop {
            if self.pos >= self.chars.len() {
                break;
            }
            let start = self.pos;
            while self.peek(0).is_some_and(|c| c != '\n') {
                self.pos += 1;
            }
            let line: String = self.chars[start..self.pos].iter().collect();
            if self.peek(0) == Some('\n') {
                self.pos += 1;
            }
            let line = if strip_tabs { line.trim_start_matches('\t') } else { &line };
            if line.trim_end() == delimiter {
                closed = true;
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        if !closed {
            self.pos = start;
            return String::new();
        }
        body
    }
}

/// What a command substitution stands for in its word: the program a lookup names
/// (`$(which rm)`, `` `command -v rm` `` give `rm`, so a hidden program is still seen),
/// else `$(…)`.
fn substituted(inner: &str) -> String {
    let words: Vec<&str> = inner.split_whitespace().collect();
    match words.as_slice() {
        ["which" | "whereis", name] | ["command" | "type", "-v" | "-p" | "-P", name] => {
            (*name).to_owned()
        }
        _ => "$(…)".to_owned(),
    }
}

/// Whether `word` is `NAME=value`.
fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else { return false };
    let name = name.strip_suffix('+').unwrap_or(name);
    !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn words(text: &str) -> Vec<Vec<Vec<String>>> {
        read(text).into_iter().map(|p| p.into_iter().map(|c| c.words).collect()).collect()
    }

    fn w(s: &[&[&str]]) -> Vec<Vec<String>> {
        s.iter().map(|c| c.iter().map(|x| (*x).to_owned()).collect()).collect()
    }

    #[test]
    fn pipelines_chains_and_quotes() {
        assert_eq!(
            words("du -sh /var/* | sort -h && echo 'a b' \"c $d\"; ls"),
            vec![
                w(&[&["du", "-sh", "/var/*"], &["sort", "-h"]]),
                w(&[&["echo", "a b", "c $d"]]),
                w(&[&["ls"]]),
            ]
        );
    }

    #[test]
    fn substitutions_are_commands_of_their_own() {
        let got = words("kubectl delete pod $(kubectl get pods -o name | head -1)");
        assert_eq!(got[0], w(&[&["kubectl", "get", "pods", "-o", "name"], &["head", "-1"]]));
        assert_eq!(got[1], w(&[&["kubectl", "delete", "pod", "$(…)"]]));
        assert_eq!(words("echo `rm -rf /x`")[0], w(&[&["rm", "-rf", "/x"]]));
        assert_eq!(words("`which rm` -rf /opt")[1], w(&[&["rm", "-rf", "/opt"]]));
        assert_eq!(words("diff <(sort a) b")[0], w(&[&["sort", "a"]]));
    }

    #[test]
    fn comments_continuations_assignments_and_keywords() {
        assert_eq!(words("# rm -rf /\nls \\\n  -la # trailing"), vec![w(&[&["ls", "-la"]])]);
        assert_eq!(words("FOO=1 env"), vec![w(&[&["env"]])]);
        assert_eq!(
            words("for f in a b; do rm \"$f\"; done"),
            vec![w(&[&["rm", "$f"]])],
            "the loop header is no command"
        );
        assert_eq!(
            words("if true; then systemctl restart x; fi"),
            vec![w(&[&["true"]]), w(&[&["systemctl", "restart", "x"]])]
        );
        assert_eq!(
            words("case $1 in start) run;; stop) halt;; esac"),
            vec![w(&[&["run"]]), w(&[&["halt"]])]
        );
    }

    #[test]
    fn placeholders_are_words_and_text_lines_are_no_commands() {
        assert_eq!(
            words("kubectl logs <pod-name> -n x && kill -9 <PID>"),
            vec![
                w(&[&["kubectl", "logs", "<pod-name>", "-n", "x"]]),
                w(&[&["kill", "-9", "<PID>"]])
            ]
        );
        assert_eq!(read("sort <in.txt >out.txt")[0][0].redirects.len(), 2, "a real redirection");
        assert!(
            words(
                "Events:
- item one
server:
  port: 1"
            )
            .is_empty()
        );
    }

    #[test]
    fn function_definitions_give_their_bodies_and_calls_are_left_out() {
        assert_eq!(
            words("f() { rm -rf /tmp/x; }; f; ls"),
            vec![w(&[&["rm", "-rf", "/tmp/x"]]), w(&[&["ls"]])]
        );
        // Without a body, or after a redirection, it defines nothing: `rm` stays a command.
        assert!(words("rm ( ) rm\n\nrm -rf /x").contains(&w(&[&["rm", "-rf", "/x"]])));
        assert!(words("rm < :(){\n\nrm -rf /x").contains(&w(&[&["rm", "-rf", "/x"]])));
    }

    #[test]
    fn redirections_and_here_documents() {
        let got = read("cat <<'EOF' > /etc/x.conf\na: 1\nEOF\necho hi 2>&1 >> log");
        assert_eq!(got[0][0].words, vec!["cat"]);
        assert_eq!(got[0][0].stdin.as_deref(), Some("a: 1\n"));
        assert_eq!(got[0][0].redirects, vec![Redirect { op: ">", target: "/etc/x.conf".into() }]);
        assert!(got[0][0].redirects[0].writes_file());
        let echo = &got[1][0];
        assert_eq!(echo.words, vec!["echo", "hi"]);
        assert_eq!(echo.redirects.len(), 2);
        assert!(!echo.redirects[0].writes_file(), "2>&1 duplicates");
        assert!(echo.redirects[1].appends());
        assert_eq!(read("redis-cli <<< 'FLUSHALL'")[0][0].stdin.as_deref(), Some("FLUSHALL"));
        // Neither a quote nor a here-document left open hides the lines after it.
        assert_eq!(words("echo don't\nrm -rf /x")[1], w(&[&["rm", "-rf", "/x"]]));
        assert_eq!(words("cat <<EOF\nrm -rf /x")[1], w(&[&["rm", "-rf", "/x"]]));
        let hidden = words("-rf \" ` \" `\n\nrm -rf /x");
        assert!(hidden.contains(&w(&[&["rm", "-rf", "/x"]])), "{hidden:?}");
        assert_eq!(read(": > app.log")[0][0].words, vec![":"]);
        assert_eq!(read("> app.log")[0][0].redirects[0].target, "app.log");
    }

    proptest! {
        #[test]
        fn any_text_is_read_without_panic(text in "[ -~\n\t]{0,200}") {
            let _ = read(&text);
        }
    }
}
