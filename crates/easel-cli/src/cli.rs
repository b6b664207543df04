//! The command line, as clap derive types. Behaviour lives in `commands.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error: bad value, unknown or ambiguous id, unreadable file, store failure
  2  command-line usage error (unknown option, missing argument)
  3  permission denied (the acting user's level is too low, the denial is audited; or the
     comment being edited or deleted is someone else's)

Errors are reported as one line on stderr: `easel: <reason>`.
Data lives in $EASEL_DATA_DIR/easel.db (default ~/.local/share/easel/easel.db); the identity's
secret in the OS keychain (or, with EASEL_KEY_STORE=file, in identity.key beside the database).";

const ROOT_EXAMPLES: &str = "\
Examples:
  easel boards create 'Sprint planning'
  easel boards list
  easel element add 3f2a --kind rectangle --x 0 --y 0 --width 200 --height 100
  easel export 3f2a -o plan.json
  easel import plan.json --title 'Plan (copy)'
  easel --json audit 3f2a --action export
  easel sync 3f2a --relay ws://127.0.0.1:8787";

/// Easel: local-first collaborative whiteboards, from the command line.
///
/// Board ids may be given in full or as any unique prefix of at least 4 characters.
#[derive(Debug, Parser)]
#[command(name = "easel", version, after_help = format!("{ROOT_EXAMPLES}\n\n{EXIT_CODES}"))]
pub struct Cli {
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,

    /// Act as another recorded user (id or unique prefix); for testing permissions.
    #[arg(
        long = "as",
        value_name = "USER_ID",
        global = true,
        hide_short_help = true
    )]
    pub act_as: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, create, rename, delete and undelete boards.
    #[command(subcommand)]
    Boards(BoardsCmd),

    /// Show one board.
    #[command(subcommand)]
    Board(BoardCmd),

    /// Export a board to a file.
    #[command(after_help = "\
Examples:
  easel export 3f2a -o board.json
  easel export 3f2a --format excalidraw -o board.excalidraw

The format defaults from the extension of FILE. The file is written atomically: a failed export
leaves no partial file behind.")]
    Export {
        /// Board id or unique prefix.
        board: String,
        /// json, excalidraw, canvas, svg or png (default: from FILE's extension).
        #[arg(long, short = 'f')]
        format: Option<String>,
        /// The file to write.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
    },

    /// Create a board from a file (Easel JSON; other formats when available); prints its id.
    #[command(after_help = "\
Examples:
  easel import board.json
  easel import board.json --title 'Imported plan'")]
    Import {
        /// The file to read.
        file: PathBuf,
        /// Title of the new board (default: the title stored in the file).
        #[arg(long)]
        title: Option<String>,
    },

    /// List a board's snapshots, newest first.
    #[command(after_help = "Example:\n  easel history 3f2a")]
    History {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
    },

    /// Take a snapshot of a board now; prints the snapshot id.
    #[command(after_help = "Example:\n  easel snapshot 3f2a --name 'before review'")]
    Snapshot {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// Name the snapshot (named snapshots are kept until deleted).
        #[arg(long)]
        name: Option<String>,
    },

    /// Make a board look as it did at a snapshot (owner only); recorded as a new change.
    #[command(after_help = "Example:\n  easel history 3f2a\n  easel restore 3f2a 12")]
    Restore {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// A snapshot id from `easel history`.
        snapshot_id: i64,
    },

    /// Show a board's audit log, newest first (owner only).
    #[command(after_help = "\
Examples:
  easel audit 3f2a
  easel audit 3f2a --action export --since 2026-01-01
  easel audit 3f2a --limit 20 --before 345   # the next page after id 345")]
    Audit(AuditArgs),

    /// Add, list and delete a board's elements.
    #[command(subcommand)]
    Element(ElementCmd),

    /// Show this installation's identity (its Ed25519 public key), creating it on first use.
    #[command(after_help = "\
Examples:
  easel identity
  easel identity --name 'Ada Lovelace'
  easel --json identity

The secret key lives in the OS keychain: the Secret Service (GNOME Keyring, KWallet) or, on a
headless Linux, the kernel keyring (keyutils; forgotten at reboot); the Keychain on macOS; the
Credential Manager on Windows. To keep it in a plain file instead (mode 0600, next to the
database), set EASEL_KEY_STORE=file; easel then says so on stderr each time it uses it.")]
    Identity {
        /// Set the display name collaborators see.
        #[arg(long)]
        name: Option<String>,
    },
    /// List a board's comment threads; add, reply, edit, delete, resolve and reopen.
    #[command(after_help = "\
Examples:
  easel comments 3f2a                  # open threads, with their messages
  easel --json comments 3f2a --all     # resolved ones too
  easel comments 3f2a add --text 'Is this the final colour?' --element 0b6e
  easel comments 3f2a add --text 'Logo goes here' --at 120,-40
  easel comments 3f2a reply 5c1e --text 'Yes'
  easel comments 3f2a edit 9a8b --text 'Yes, per the brand guide'
  easel comments 3f2a delete 9a8b
  easel comments 3f2a resolve 5c1e
  easel comments 3f2a reopen 5c1e

Thread and message ids may be given in full or as a unique prefix of at least 4 characters.
Reading needs view access, writing needs comment access; only a message's author may edit or
delete it. Every write is audited (comment.add, comment.reply, ...).")]
    Comments(CommentsArgs),

    /// List and record users.
    #[command(subcommand)]
    Users(UsersCmd),

    /// Grant a user (or `public`) a level on a board (owner only).
    #[command(after_help = "\
Examples:
  easel grant 3f2a 9c1d edit
  easel grant 3f2a public view")]
    Grant {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// A user id (or unique prefix), or `public` for anyone with the link.
        subject: String,
        /// view, comment or edit.
        level: String,
    },

    /// Remove a user's (or the public) grant on a board (owner only).
    #[command(after_help = "Examples:\n  easel revoke 3f2a 9c1d\n  easel revoke 3f2a public")]
    Revoke {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// A share link id from `easel links` (or a unique prefix), a user id (or unique
        /// prefix), or `public`.
        subject: String,
    },

    /// Issue a share link for a board you own: a capability signed with your key.
    #[command(after_help = "\
Examples:
  easel share 3f2a --level view --relay ws://relay.example:8787
  easel share 3f2a --level edit --expires 7d
  easel share 3f2a --level comment --for <PUBLIC_KEY> --name 'Grace'

The link looks like easel://board/<id>?relay=...&owner=...#cap=<token>. Anyone holding it gets
the level it grants (or only the holder of --for's key), until it expires or you revoke it
(`easel links`, `easel revoke BOARD LINK_ID`). A board made before this installation had an
identity gets a new id bound to your key the first time it is shared; its old id keeps working
here.")]
    Share {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// view, comment or edit.
        #[arg(long)]
        level: String,
        /// The relay (or host) collaborators sync through, ws://HOST:PORT or wss://HOST[:PORT].
        #[arg(long, value_name = "URL")]
        relay: Option<String>,
        /// The link stops working after this long (e.g. 12h, 7d, 30d).
        #[arg(long, value_parser = parse_expiry)]
        expires: Option<Duration>,
        /// Only the holder of this public key (see `easel identity`) may use the link. A key may
        /// begin with `-` (base64url), so the value is taken as it is.
        #[arg(long = "for", value_name = "PUBLIC_KEY", allow_hyphen_values = true)]
        for_key: Option<String>,
        /// A name for that person, recorded with their key.
        #[arg(long, requires = "for_key")]
        name: Option<String>,
    },

    /// List the links issued on a board you own: id, level, who, expiry, status.
    #[command(after_help = "Examples:\n  easel links 3f2a\n  easel --json links 3f2a")]
    Links {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
    },

    /// Join a board through a share link: check it, record it, and fetch the board.
    #[command(after_help = "\
Examples:
  easel join 'easel://board/0f6c...?relay=ws%3A%2F%2Frelay.example%3A8787&owner=...#cap=...'
  easel join --no-sync 'easel://board/...'

The link is checked before anything is fetched: its signature against the owner key it names
(from which the board id derives), its expiry, and, for a personal link, that it is yours.")]
    Join {
        /// The share link (quote it: it contains & and #).
        link: String,
        /// Only record the link; do not sync now.
        #[arg(long)]
        no_sync: bool,
        /// Give up syncing after this long.
        #[arg(long, default_value = "30s", value_parser = parse_duration)]
        timeout: Duration,
    },

    /// Sync a board once with a relay or a LAN host, and exit when both sides are equal.
    #[command(after_help = "\
Examples:
  easel sync 3f2a --relay ws://relay.example:8787
  easel sync 3f2a --relay wss://relay.example   # TLS: trusts the OS store, plus EASEL_EXTRA_CA=ca.pem
  easel sync 3f2a                      # with the remotes remembered by `easel connect`
  easel sync 0c7e4d3a-5b1f-4a7e-9d2c-1f2e3d4c5b6a --relay ws://192.168.1.20:8788

Given the full id of a board this installation does not have, `easel sync` creates a local
replica and fills it from the server: that is how a board shared through a relay or host is
fetched. The board's comments sync too, in their own room. Prints the bytes sent and received
and the updates applied, for the board and for its comments.")]
    Sync {
        /// Board id or unique prefix; a full id fetches a board not yet here.
        board: String,
        /// Server to sync with, `ws://HOST:PORT` or `wss://HOST[:PORT]` (default: the board's
        /// remembered remotes).
        #[arg(long, value_name = "URL")]
        relay: Option<String>,
        /// Give up after this long (e.g. 30s, 500ms, 2m).
        #[arg(long, default_value = "30s", value_parser = parse_duration)]
        timeout: Duration,
    },

    /// Remember a relay or host for a board (used by `easel sync`); without URL, list them.
    #[command(after_help = "\
Examples:
  easel connect 3f2a ws://relay.example:8787
  easel connect 3f2a ws://192.168.1.20:8788 --kind host
  easel connect 3f2a                   # list the board's remotes

Needs edit access to the board; audited as `connect`.")]
    Connect {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// Server base URL, `ws://HOST:PORT` or `wss://HOST[:PORT]`.
        url: Option<String>,
        /// relay or host (another Easel running `easel serve`).
        #[arg(long, default_value = "relay", value_parser = ["relay", "host"])]
        kind: String,
    },

    /// Forget a relay or host remembered for a board.
    #[command(after_help = "Example:\n  easel disconnect 3f2a ws://relay.example:8787")]
    Disconnect {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// The URL as `easel connect 3f2a` lists it.
        url: String,
    },

    /// Host boards for peers on this machine or the LAN, keeping them in sync, until Ctrl-C.
    #[command(after_help = "\
Examples:
  easel serve                          # this machine only, ws://127.0.0.1:8788
  easel serve --listen 0.0.0.0:8788    # the LAN too (announced over mDNS as _easel._tcp)
  easel serve --board 3f2a --board 9c1d

Peers run `easel sync <full board id> --relay ws://THIS-HOST:PORT`. Edits made here (in the
app or with `easel element add`) reach connected peers within about a second, and theirs land
in this installation's boards. Each board's comments are served too (room <board>/comments). The server keeps its copy in <data dir>/host/.

WARNING: `--listen 0.0.0.0:8788` exposes the served boards on the LAN, unauthenticated until
sharing lands: anyone who can reach the port can read and edit them. Stop with Ctrl-C or
SIGTERM.")]
    Serve {
        /// Address to listen on; 127.0.0.1 keeps it to this machine, 0.0.0.0 exposes it on the
        /// LAN.
        #[arg(long, default_value = "127.0.0.1:8788")]
        listen: SocketAddr,
        /// Boards to serve (repeatable; default: every board you own).
        #[arg(long = "board", value_name = "ID")]
        boards: Vec<String>,
        /// Serve open rooms: anyone who reaches the port may read and write, no link needed.
        /// Without it, peers need a link you issued (`easel share BOARD --relay <this URL>`),
        /// checked exactly as a relay with --auth capabilities does.
        #[arg(long)]
        open: bool,
        /// Most bytes one board's document may hold here (its snapshot plus the updates
        /// after it); a peer's write past it is refused.
        #[arg(long, default_value_t = 64 << 20)]
        max_board_bytes: u64,
        /// Most bytes of image files one board may hold here; uploads past it are refused.
        #[arg(long, default_value_t = 1 << 30)]
        max_board_file_bytes: u64,
    },

    /// List Easel hosts announced on the LAN over mDNS (`easel serve --listen 0.0.0.0:...`).
    #[command(after_help = "Examples:\n  easel hosts\n  easel --json hosts --wait 5s")]
    Hosts {
        /// How long to listen for announcements (e.g. 2s, 500ms).
        #[arg(long, default_value = "2s", value_parser = parse_duration)]
        wait: Duration,
    },

    /// List a board's grants (owner only).
    #[command(after_help = "Example:\n  easel permissions 3f2a")]
    Permissions {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BoardsCmd {
    /// List the boards you can open, most recently edited first.
    #[command(after_help = "Examples:\n  easel boards list\n  easel boards list --all --json")]
    List {
        /// Include deleted boards (marked in the DELETED column).
        #[arg(long)]
        all: bool,
    },
    /// Create an empty board; prints its id.
    #[command(after_help = "Example:\n  easel boards create 'Sprint planning'")]
    Create {
        /// The new board's title.
        title: String,
    },
    /// Rename a board.
    #[command(after_help = "Example:\n  easel boards rename 3f2a 'Sprint 12 planning'")]
    Rename {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// The new title.
        title: String,
    },
    /// Move a board to the trash (owner only).
    #[command(after_help = "Example:\n  easel boards delete 3f2a")]
    Delete {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
    },
    /// Bring a deleted board back (owner only).
    #[command(after_help = "Example:\n  easel boards undelete 3f2a")]
    Undelete {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BoardCmd {
    /// Title, owner, element counts, your level, times and snapshot count.
    #[command(after_help = "Example:\n  easel board show 3f2a")]
    Show {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Board id or unique prefix (at least 4 characters).
    pub board: String,
    /// Only rows by this user id.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only rows with this action (create, open, rename, export, import, denied, ...).
    #[arg(long)]
    pub action: Option<String>,
    /// Rows at or after this UTC time (ISO-8601, or a prefix such as 2026-11-27).
    #[arg(long, value_name = "ISO")]
    pub since: Option<String>,
    /// Rows before this UTC time (same form).
    #[arg(long, value_name = "ISO")]
    pub until: Option<String>,
    /// At most this many rows (default 100).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Rows with an id below this one (for paging).
    #[arg(long, value_name = "ID")]
    pub before: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum ElementCmd {
    /// Add an element; prints its id.
    #[command(after_help = "\
Examples:
  easel element add 3f2a --kind rectangle --x 0 --y 0 --width 200 --height 100 --fill '#ffec99'
  easel element add 3f2a --kind text --x 10 --y -40 --text 'Hello'
  easel element add 3f2a --kind arrow --x 0 --y 0 --width 120 --height 0

Kinds: rectangle, ellipse, diamond, line, arrow, freedraw, text, sticky, image, frame.
Lines and arrows run from (x, y) to (x + width, y + height).")]
    Add(AddElement),
    /// List a board's elements in drawing order.
    #[command(
        after_help = "Examples:\n  easel element list 3f2a\n  easel --json element list 3f2a"
    )]
    List {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
    },
    /// Delete elements by id.
    #[command(after_help = "Example:\n  easel element delete 3f2a 0b6e 77d1")]
    Delete {
        /// Board id or unique prefix (at least 4 characters).
        board: String,
        /// Element ids (or unique prefixes of at least 4 characters).
        #[arg(required = true, value_name = "ELEMENT_ID")]
        elements: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct AddElement {
    /// Board id or unique prefix (at least 4 characters).
    pub board: String,
    /// rectangle, ellipse, diamond, line, arrow, freedraw, text, sticky, image or frame.
    #[arg(long)]
    pub kind: String,
    #[arg(long, allow_negative_numbers = true)]
    pub x: f64,
    #[arg(long, allow_negative_numbers = true)]
    pub y: f64,
    #[arg(long, default_value_t = 0.0)]
    pub width: f64,
    #[arg(long, default_value_t = 0.0)]
    pub height: f64,
    /// The text of a text or sticky element, or a shape's label.
    #[arg(long)]
    pub text: Option<String>,
    /// Stroke colour, e.g. '#1e1e1e'.
    #[arg(long)]
    pub stroke: Option<String>,
    /// Fill colour, e.g. '#ffec99' or 'transparent'.
    #[arg(long)]
    pub fill: Option<String>,
}

#[derive(Debug, Args)]
pub struct CommentsArgs {
    /// Board id or unique prefix (at least 4 characters).
    pub board: String,
    /// List resolved threads too.
    #[arg(long)]
    pub all: bool,
    #[command(subcommand)]
    pub action: Option<CommentsCmd>,
}

#[derive(Debug, Subcommand)]
pub enum CommentsCmd {
    /// Start a thread on an element or at a point; prints the thread id.
    Add {
        /// The first message.
        #[arg(long)]
        text: String,
        /// Pin the thread to this element (id or unique prefix); its centre is kept as the
        /// fallback point should the element be deleted.
        #[arg(long, value_name = "ELEMENT_ID", required_unless_present = "at")]
        element: Option<String>,
        /// Place the thread at this point on the board.
        #[arg(
            long,
            value_name = "X,Y",
            conflicts_with = "element",
            allow_hyphen_values = true,
            value_parser = parse_point
        )]
        at: Option<(f64, f64)>,
    },
    /// Reply to a thread; prints the message id.
    Reply {
        /// Thread id or unique prefix.
        thread: String,
        #[arg(long)]
        text: String,
    },
    /// Change the text of one of your messages.
    Edit {
        /// Message id or unique prefix.
        message: String,
        #[arg(long)]
        text: String,
    },
    /// Delete one of your messages (the thread keeps a "deleted" entry).
    Delete {
        /// Message id or unique prefix.
        message: String,
    },
    /// Mark a thread resolved (hidden from the default listing).
    Resolve {
        /// Thread id or unique prefix.
        thread: String,
    },
    /// Reopen a resolved thread.
    Reopen {
        /// Thread id or unique prefix.
        thread: String,
    },
}

/// A point `X,Y` such as `120,-40` or `0.5,2`.
pub fn parse_point(s: &str) -> Result<(f64, f64), String> {
    let bad = || format!("{s:?} is not a point X,Y (e.g. 120,-40)");
    let (x, y) = s.split_once(',').ok_or_else(bad)?;
    let x: f64 = x.trim().parse().map_err(|_| bad())?;
    let y: f64 = y.trim().parse().map_err(|_| bad())?;
    if !x.is_finite() || !y.is_finite() {
        return Err(bad());
    }
    Ok((x, y))
}

#[derive(Debug, Subcommand)]
pub enum UsersCmd {
    /// List recorded users (the local user is marked).
    #[command(after_help = "Example:\n  easel users list")]
    List,
    /// Record another user (a collaborator, or a test actor for --as); prints the id.
    #[command(
        after_help = "Example:\n  bob=$(easel users add Bob)\n  easel --as \"$bob\" boards list"
    )]
    Add {
        /// Display name.
        name: String,
    },
    /// Record (or rename) a collaborator by their public key (from their `easel identity`).
    #[command(after_help = "Example:\n  easel users remember 3q2-7wHf...Lk Bob")]
    Remember {
        /// Their Ed25519 public key, base64url without padding (it may begin with `-`).
        #[arg(allow_hyphen_values = true)]
        public_key: String,
        /// Display name.
        name: String,
    },
}

/// A duration such as `30s`, `500ms`, `2m` or `1.5s`; a bare number is seconds.
/// An expiry: like [`parse_duration`] plus days (`7d`), up to ten years.
pub fn parse_expiry(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if let Some(days) = t.strip_suffix('d') {
        let n: u64 = days
            .parse()
            .map_err(|_| format!("{s:?} is not an expiry (e.g. 12h, 7d)"))?;
        if n == 0 || n > 3650 {
            return Err(format!("{s:?} is out of range (1 to 3650 days)"));
        }
        return Ok(Duration::from_secs(n * 86_400));
    }
    parse_duration(t).map_err(|_| format!("{s:?} is not an expiry (e.g. 12h, 7d)"))
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("{s:?} is not a duration (e.g. 30s, 500ms, 2m)")),
    };
    if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
        return Err(format!("{s:?} is out of range (above 0, at most 24h)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        for bad in ["", "s", "0s", "-1s", "3d", "abc", "1e9"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn points() {
        assert_eq!(parse_point("120,-40").unwrap(), (120.0, -40.0));
        assert_eq!(parse_point(" 0.5 , 2 ").unwrap(), (0.5, 2.0));
        for bad in ["", "1", "1,", ",2", "a,b", "inf,0", "NaN,1", "1,2,3"] {
            assert!(parse_point(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn comments_parse_board_then_action() {
        let cli = Cli::try_parse_from([
            "easel", "comments", "3f2a", "add", "--text", "hi", "--at", "-1,2",
        ])
        .unwrap();
        match cli.command {
            Command::Comments(CommentsArgs {
                board,
                action: Some(CommentsCmd::Add { at, element, .. }),
                ..
            }) => {
                assert_eq!(board, "3f2a");
                assert_eq!(at, Some((-1.0, 2.0)));
                assert!(element.is_none());
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["easel", "comments", "3f2a", "add", "--text", "hi"]).is_err());
        assert!(
            Cli::try_parse_from([
                "easel",
                "comments",
                "3f2a",
                "add",
                "--text",
                "hi",
                "--at",
                "1,2",
                "--element",
                "e1"
            ])
            .is_err()
        );
        let cli = Cli::try_parse_from(["easel", "comments", "3f2a", "--all"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Comments(CommentsArgs {
                all: true,
                action: None,
                ..
            })
        ));
    }

    #[test]
    fn public_keys_that_begin_with_a_hyphen_are_values() {
        // base64url keys begin with '-' one time in 64; they must not read as flags.
        let cli = Cli::try_parse_from([
            "easel",
            "share",
            "3f2a",
            "--level",
            "view",
            "--for",
            "-SwPZCVMXETL2n",
            "--name",
            "Cy",
        ])
        .unwrap();
        assert!(
            matches!(cli.command, Command::Share { for_key: Some(k), .. } if k == "-SwPZCVMXETL2n")
        );
        let cli =
            Cli::try_parse_from(["easel", "users", "remember", "-SwPZCVMXETL2n", "Bob"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Users(UsersCmd::Remember { public_key, .. }) if public_key == "-SwPZCVMXETL2n"
        ));
    }
}
