//! The permission matrix: every operation × owner / EDIT / COMMENT / VIEW / public / none, on a
//! real SQLite file, with the audit row each attempt writes.

mod common;
use common::*;
use easel_core::store::AuditQuery;
use easel_core::{Access, Anchor, ElementPatch, Error, Level, Op, Reorder};
use uuid::Uuid;

#[derive(Debug, Clone, Copy)]
enum Who {
    Owner,
    Edit,
    Comment,
    View,
    /// Holds nothing personally; the board has a public VIEW row.
    Public,
    None,
}

struct Fixture {
    env: Env,
    board: Uuid,
    users: Vec<(Who, Uuid)>,
    snapshot: i64,
}

async fn fixture(public: bool) -> Fixture {
    let env = Env::new().await;
    let board = env
        .easel
        .create_board(env.owner.id, "Matrix")
        .await
        .unwrap()
        .id;
    let mut s = env.easel.open_board(env.owner.id, board).await.unwrap();
    s.add(rect("r", 0.0, 0.0)).await.unwrap();
    let snapshot = s.snapshot(Some("base")).await.unwrap().id;
    let mut users = vec![(Who::Owner, env.owner.id)];
    for (who, level) in [
        (Who::Edit, Level::Edit),
        (Who::Comment, Level::Comment),
        (Who::View, Level::View),
    ] {
        let u = env.user(&format!("{who:?}")).await;
        env.easel
            .grant(env.owner.id, board, Some(u.id), level)
            .await
            .unwrap();
        users.push((who, u.id));
    }
    users.push((Who::Public, env.user("public").await.id));
    users.push((Who::None, env.user("none").await.id));
    if public {
        env.easel
            .grant(env.owner.id, board, None, Level::View)
            .await
            .unwrap();
    }
    Fixture {
        env,
        board,
        users,
        snapshot,
    }
}

fn expected(who: Who, public: bool) -> Access {
    match who {
        Who::Owner => Access::Owner,
        Who::Edit => Access::Edit,
        Who::Comment => Access::Comment,
        Who::View => Access::View,
        Who::Public | Who::None => {
            if public {
                Access::View
            } else {
                Access::None
            }
        }
    }
}

/// Attempts `op` as `actor`; `Ok(())` when allowed.
async fn attempt(f: &Fixture, actor: Uuid, op: Op) -> Result<(), Error> {
    let e = &f.env.easel;
    let b = f.board;
    match op {
        Op::Open => e.open_board(actor, b).await.map(drop),
        Op::Export => {
            // A user who cannot open cannot export either; that denial names `open`.
            let s = e.open_board(actor, b).await?;
            let scene = s.scene_for_export().await?;
            s.record_export("json", scene.elements.len(), 0).await
        }
        Op::ListHistory => e.history(actor, b).await.map(drop),
        Op::ReadAudit => e.audit(actor, b, &AuditQuery::default()).await.map(drop),
        Op::ReadComments => e.open_comments(actor, b).await.map(drop),
        Op::Comment => {
            // A user who cannot read the comments cannot write them; that denial names
            // `comments`.
            let mut c = e.open_comments(actor, b).await?;
            let t = c.add_thread(&Anchor::at(1.0, 2.0), "a note").await?;
            c.reply(&t.id, "a reply").await?;
            c.resolve(&t.id).await?;
            c.reopen(&t.id).await.map(drop)
        }
        Op::Edit => {
            let mut s = e.open_board(actor, b).await?;
            s.update(
                "r",
                &ElementPatch {
                    x: Some(1.0),
                    ..Default::default()
                },
            )
            .await
            .map(drop)
        }
        Op::Rename => e.rename_board(actor, b, "Renamed").await,
        Op::Snapshot => e
            .open_board(actor, b)
            .await?
            .snapshot(Some("s"))
            .await
            .map(drop),
        Op::Undo => e.open_board(actor, b).await?.undo().await.map(drop),
        Op::Restore => e.open_board(actor, b).await?.restore(f.snapshot).await,
        Op::Share => {
            let other = f.env.user("invitee").await;
            e.grant(actor, b, Some(other.id), Level::View)
                .await
                .map(drop)
        }
        Op::Delete => {
            let r = e.delete_board(actor, b).await;
            if r.is_ok() {
                e.undelete_board(actor, b).await.unwrap();
            }
            r
        }
        Op::Undelete => e.undelete_board(actor, b).await,
    }
}

async fn denied_rows(f: &Fixture, actor: Uuid) -> Vec<serde_json::Value> {
    let q = AuditQuery {
        board_id: Some(f.board),
        actor_id: Some(actor),
        action: Some("denied".into()),
        ..Default::default()
    };
    f.env
        .store
        .audit_query(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect()
}

async fn run_matrix(public: bool) {
    let f = fixture(public).await;
    for &(who, actor) in &f.users {
        let held = expected(who, public);
        assert_eq!(
            f.env.easel.access(actor, f.board).await.unwrap(),
            held,
            "{who:?}"
        );
        for op in Op::ALL {
            let before = denied_rows(&f, actor).await.len();
            let result = attempt(&f, actor, op).await;
            let after = denied_rows(&f, actor).await;
            // Operations on an open board first need Open; the rest are decided by their own
            // level alone.
            let through_session = matches!(
                op,
                Op::Export | Op::Edit | Op::Snapshot | Op::Undo | Op::Restore
            );
            let gate = if through_session && held < Op::Open.needs() {
                Op::Open
            } else if op == Op::Comment && held < Op::ReadComments.needs() {
                Op::ReadComments
            } else {
                op
            };
            if held >= gate.needs() {
                assert!(result.is_ok(), "{who:?} {op:?}: {result:?}");
                assert_eq!(after.len(), before, "{who:?} {op:?}: no denial row");
            } else {
                match result {
                    Err(Error::Denied {
                        action,
                        needed,
                        held: h,
                    }) => {
                        assert_eq!(action, gate.name(), "{who:?} {op:?}");
                        assert_eq!(needed, gate.needs());
                        assert_eq!(h, held);
                    }
                    other => panic!("{who:?} {op:?}: expected a denial, got {other:?}"),
                }
                assert_eq!(after.len(), before + 1, "{who:?} {op:?}: one denial row");
                assert_eq!(after[0]["op"], gate.name());
                assert_eq!(after[0]["needed"], gate.needs().as_str());
                assert_eq!(after[0]["held"], held.as_str());
            }
        }
    }
    // Allowed operations leave their own rows.
    let all = f
        .env
        .store
        .audit_query(&AuditQuery {
            board_id: Some(f.board),
            limit: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap();
    for action in [
        "create",
        "open",
        "grant",
        "rename",
        "delete",
        "undelete",
        "restore",
        "snapshot",
        "export",
        "denied",
        "comment.add",
        "comment.reply",
        "comment.resolve",
        "comment.reopen",
    ] {
        assert!(all.iter().any(|e| e.action == action), "no {action} row");
    }
}

#[tokio::test]
async fn matrix_without_public_access() {
    run_matrix(false).await;
}

#[tokio::test]
async fn matrix_with_public_view_row() {
    run_matrix(true).await;
}

#[tokio::test]
async fn personal_grant_and_public_row_take_the_higher_level() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "B").await.unwrap().id;
    let u = env.user("u").await;
    env.easel
        .grant(env.owner.id, b, None, Level::Comment)
        .await
        .unwrap();
    env.easel
        .grant(env.owner.id, b, Some(u.id), Level::View)
        .await
        .unwrap();
    assert_eq!(env.easel.access(u.id, b).await.unwrap(), Access::Comment);
    env.easel
        .grant(env.owner.id, b, Some(u.id), Level::Edit)
        .await
        .unwrap();
    assert_eq!(env.easel.access(u.id, b).await.unwrap(), Access::Edit);
    assert_eq!(
        env.easel.revoke(env.owner.id, b, Some(u.id)).await.unwrap(),
        Some(Level::Edit)
    );
    assert_eq!(env.easel.access(u.id, b).await.unwrap(), Access::Comment);
    assert_eq!(
        env.easel.revoke(env.owner.id, b, None).await.unwrap(),
        Some(Level::Comment)
    );
    assert_eq!(env.easel.access(u.id, b).await.unwrap(), Access::None);
    // The grant rows say what changed.
    let rows = env
        .easel
        .audit(
            env.owner.id,
            b,
            &AuditQuery {
                action: Some("grant".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].detail["result"]["change"], "changed");
    assert_eq!(rows[0].detail["result"]["from"], "VIEW");
    // Listing: the user sees boards shared with them, with their level.
    env.easel
        .grant(env.owner.id, b, Some(u.id), Level::View)
        .await
        .unwrap();
    let list = env.easel.list_boards(u.id, false).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].access, Access::View);
}

#[tokio::test]
async fn a_session_loses_write_access_when_revoked() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "B").await.unwrap().id;
    let u = env.user("u").await;
    env.easel
        .grant(env.owner.id, b, Some(u.id), Level::Edit)
        .await
        .unwrap();
    let mut s = env.easel.open_board(u.id, b).await.unwrap();
    s.add(rect("a", 0.0, 0.0)).await.unwrap();
    env.easel
        .grant(env.owner.id, b, Some(u.id), Level::View)
        .await
        .unwrap();
    s.refresh().await.unwrap();
    let before = s.doc().encode_state();
    assert!(matches!(
        s.add(rect("b", 0.0, 0.0)).await,
        Err(Error::Denied { .. })
    ));
    assert_eq!(s.doc().encode_state(), before);
    let _ = Reorder::Front;
}
