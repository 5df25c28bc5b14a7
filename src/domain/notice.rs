//! What the kit tells the person at it when something fails: a message key of the kit's
//! translations and its arguments, so that the window words it in the language on screen
//! (an error's `Display` is English, for logs and the command line).

/// One argument of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeArg {
    /// Words shown as they are (a port name, the operating system's own message).
    Text(String),
    /// A number, which the translations may put in the plural.
    Number(i64),
}

/// A message to the person at the kit, by key (`assets/i18n/*.ftl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The message key, defined in both languages.
    pub key: &'static str,
    /// Named arguments the message uses.
    pub args: Vec<(&'static str, NoticeArg)>,
}

impl Notice {
    /// A notice with no arguments.
    pub fn new(key: &'static str) -> Notice {
        Notice { key, args: Vec::new() }
    }

    /// Adds a text argument.
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Notice {
        self.args.push((name, NoticeArg::Text(value.into())));
        self
    }

    /// Adds a number argument.
    pub fn number(mut self, name: &'static str, value: impl TryInto<i64>) -> Notice {
        self.args.push((name, NoticeArg::Number(value.try_into().unwrap_or(i64::MAX))));
        self
    }

    /// A failure the kit has no sentence of its own for: a general sentence in the person's
    /// language around the error's own (English) words.
    pub fn detail(error: &dyn std::fmt::Display) -> Notice {
        Notice::new("error-detail").text("detail", error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_keep_their_order_and_kind() {
        let n = Notice::new("device-error-timeout").text("what", "the image").number("ms", 2500u64);
        assert_eq!(n.args, [("what", NoticeArg::Text("the image".into())), ("ms", NoticeArg::Number(2500))]);
        assert_eq!(
            Notice::number(Notice { key: "any", args: Vec::new() }, "n", u64::MAX).args[0].1,
            NoticeArg::Number(i64::MAX)
        );
        assert_eq!(Notice::detail(&"disk full").args[0].1, NoticeArg::Text("disk full".into()));
    }
}
