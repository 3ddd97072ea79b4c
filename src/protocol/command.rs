//! The legacy `command` header (http-api.md §2 step 3).

/// The command of a legacy request: which of the evaluator's entry points a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Grade a response against an answer.
    Eval,
    /// Render a response without grading it.
    Preview,
    /// Run the evaluator's self-tests.
    Healthcheck,
}

impl Command {
    /// The wire name, used in the guest envelope, in replies and in the log.
    pub fn as_str(&self) -> &'static str {
        match self {
            Command::Eval => "eval",
            Command::Preview => "preview",
            Command::Healthcheck => "healthcheck",
        }
    }

    /// Reads the `command` header: absent or empty means `eval`, otherwise one of the three names
    /// in any case. `None` means an invalid command (400).
    pub fn from_header(value: Option<&[u8]>) -> Option<Command> {
        let value = match value {
            None | Some(b"") => return Some(Command::Eval),
            Some(value) => value,
        };
        [Command::Eval, Command::Preview, Command::Healthcheck]
            .into_iter()
            .find(|command| value.eq_ignore_ascii_case(command.as_str().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::Command;

    #[test]
    fn names_round_trip() {
        for command in [Command::Eval, Command::Preview, Command::Healthcheck] {
            assert_eq!(Command::from_header(Some(command.as_str().as_bytes())), Some(command));
        }
    }

    #[test]
    fn absent_or_empty_means_eval() {
        assert_eq!(Command::from_header(None), Some(Command::Eval));
        assert_eq!(Command::from_header(Some(b"")), Some(Command::Eval));
    }

    #[test]
    fn matching_ignores_case() {
        assert_eq!(Command::from_header(Some(b"PREVIEW")), Some(Command::Preview));
        assert_eq!(Command::from_header(Some(b"HealthCheck")), Some(Command::Healthcheck));
    }

    #[test]
    fn unknown_values_are_invalid() {
        for value in [&b"evaluate"[..], b"health", b" eval", b"\xff"] {
            assert_eq!(Command::from_header(Some(value)), None);
        }
    }
}
