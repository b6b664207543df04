//! `easel comments`: list a board's threads, and add, reply, edit, delete, resolve and reopen.

use anyhow::{Result, bail};
use easel_core::{Anchor, Comment, Thread};
use serde_json::json;

use crate::Output;
use crate::cli::{CommentsArgs, CommentsCmd};
use crate::commands::{Ctx, check_prefix, num, out, resolve_element};

/// Characters of an id shown in the readable listing (any unique prefix of 4 or more works).
const SHORT_ID: usize = 8;

impl Ctx {
    pub(crate) async fn comments(&self, a: CommentsArgs) -> Result<Output> {
        let board = self.board_id(&a.board, false).await?;
        let e = &self.easel;
        let mut s = e.open_comments(self.actor, board).await?;
        let Some(action) = a.action else {
            return Ok(list(s.threads(), a.all));
        };
        match action {
            CommentsCmd::Add { text, element, at } => {
                let anchor = match (element, at) {
                    (Some(el), _) => {
                        // The element's centre is stored with it, so the thread keeps its place
                        // if the element is deleted later.
                        let session = e.open_board(self.actor, board).await?;
                        let ids: Vec<String> =
                            session.elements().into_iter().map(|e| e.id).collect();
                        let id = resolve_element(&ids, &el)?;
                        let el = session.element(&id).expect("listed just now");
                        Anchor::element(id, el.x + el.width / 2.0, el.y + el.height / 2.0)
                    }
                    (None, Some((x, y))) => Anchor::at(x, y),
                    (None, None) => bail!("give --element ELEMENT_ID or --at X,Y"),
                };
                let t = s.add_thread(&anchor, &text).await?;
                Ok(out(t.id.clone(), serde_json::to_value(&t)?))
            }
            CommentsCmd::Reply { thread, text } => {
                let thread = resolve_thread(&s.threads(), &thread)?;
                let c = s.reply(&thread, &text).await?;
                Ok(out(c.id.clone(), serde_json::to_value(&c)?))
            }
            CommentsCmd::Edit { message, text } => {
                let message = resolve_message(&s.threads(), &message)?;
                let c = s.edit(&message, &text).await?;
                Ok(out(
                    format!("edited comment {}", c.id),
                    serde_json::to_value(&c)?,
                ))
            }
            CommentsCmd::Delete { message } => {
                let message = resolve_message(&s.threads(), &message)?;
                let c = s.delete(&message).await?;
                Ok(out(
                    format!("deleted comment {}", c.id),
                    serde_json::to_value(&c)?,
                ))
            }
            CommentsCmd::Resolve { thread } => {
                let thread = resolve_thread(&s.threads(), &thread)?;
                let changed = s.resolve(&thread).await?;
                let text = if changed {
                    format!("resolved thread {thread}")
                } else {
                    format!("thread {thread} was already resolved")
                };
                Ok(out(
                    text,
                    json!({ "thread": thread, "resolved": true, "changed": changed }),
                ))
            }
            CommentsCmd::Reopen { thread } => {
                let thread = resolve_thread(&s.threads(), &thread)?;
                let changed = s.reopen(&thread).await?;
                let text = if changed {
                    format!("reopened thread {thread}")
                } else {
                    format!("thread {thread} was already open")
                };
                Ok(out(
                    text,
                    json!({ "thread": thread, "resolved": false, "changed": changed }),
                ))
            }
        }
    }
}

/// The listing: open threads (all with `all`), each with its anchor and messages.
fn list(threads: Vec<Thread>, all: bool) -> Output {
    let total = threads.len();
    let shown: Vec<Thread> = threads.into_iter().filter(|t| all || !t.resolved).collect();
    let mut text = String::new();
    for t in &shown {
        let state = if t.resolved { "resolved" } else { "open" };
        let place = match &t.anchor.element {
            Some(el) => format!(
                "on element {} ({}, {})",
                short(el),
                num(t.anchor.x),
                num(t.anchor.y)
            ),
            None => format!("at ({}, {})", num(t.anchor.x), num(t.anchor.y)),
        };
        let by = t
            .messages
            .first()
            .map(|m| m.author_name.as_str())
            .unwrap_or(t.created_by.as_str());
        text.push_str(&format!(
            "thread {}  {state}  {place}  by {by}  {}\n",
            short(&t.id),
            time(t.created_at)
        ));
        for m in &t.messages {
            text.push_str(&format!("  {}  {}\n", short(&m.id), message_line(m)));
        }
    }
    let hidden = total - shown.len();
    if shown.is_empty() {
        text.push_str("no open comment threads\n");
    }
    if hidden > 0 {
        text.push_str(&format!(
            "({hidden} resolved thread{} not shown; --all lists them)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    let j = serde_json::to_value(&shown).unwrap_or_default();
    out(text, j)
}

fn message_line(m: &Comment) -> String {
    if m.deleted {
        return format!("{}: [deleted]", m.author_name);
    }
    let edited = if m.edited_at.is_some() {
        " (edited)"
    } else {
        ""
    };
    // Keep one message on one line of the listing; --json has the text as written.
    let text: String = m
        .text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("{}{edited}: {text}", m.author_name)
}

fn short(id: &str) -> &str {
    match id.char_indices().nth(SHORT_ID) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM` UTC.
fn time(ms: f64) -> String {
    let secs = (ms / 1000.0).floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// A thread id: exact, or a unique prefix of at least 4 characters.
fn resolve_thread(threads: &[Thread], arg: &str) -> Result<String> {
    let ids: Vec<&str> = threads.iter().map(|t| t.id.as_str()).collect();
    resolve("thread", &ids, arg)
}

/// A message id, in any thread: exact, or a unique prefix of at least 4 characters.
fn resolve_message(threads: &[Thread], arg: &str) -> Result<String> {
    let ids: Vec<&str> = threads
        .iter()
        .flat_map(|t| t.messages.iter().map(|m| m.id.as_str()))
        .collect();
    resolve("comment", &ids, arg)
}

fn resolve(what: &str, ids: &[&str], arg: &str) -> Result<String> {
    let s = arg.trim().to_ascii_lowercase();
    if ids.contains(&s.as_str()) {
        return Ok(s);
    }
    check_prefix(what, arg, &s)?;
    let hits: Vec<&&str> = ids.iter().filter(|id| id.starts_with(&s)).collect();
    match hits.as_slice() {
        [] => bail!("{what} not found: {arg}"),
        [one] => Ok((**one).to_string()),
        many => bail!(
            "{what} id {arg:?} is ambiguous: {}",
            many.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_minutes() {
        assert_eq!(time(0.0), "1970-01-01 00:00");
        assert_eq!(time(1_795_830_000_000.0), "2026-11-28 01:40");
        assert_eq!(time(951_782_400_000.0), "2000-02-29 00:00");
    }

    #[test]
    fn ids_resolve_by_unique_prefix() {
        let ids = ["aaaa1111", "aaaa2222", "bbbb0000"];
        assert_eq!(resolve("thread", &ids, "bbbb").unwrap(), "bbbb0000");
        assert_eq!(resolve("thread", &ids, "AAAA1111").unwrap(), "aaaa1111");
        assert!(
            resolve("thread", &ids, "aaaa")
                .unwrap_err()
                .to_string()
                .contains("ambiguous")
        );
        assert_eq!(
            resolve("thread", &ids, "cccc").unwrap_err().to_string(),
            "thread not found: cccc"
        );
        assert!(resolve("thread", &ids, "aa").is_err());
    }
}
