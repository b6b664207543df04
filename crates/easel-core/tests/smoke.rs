mod common;
use common::*;
use easel_core::ElementPatch;

#[tokio::test]
async fn create_edit_reopen() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "First").await.unwrap();
    let mut s = env.easel.open_board(env.owner.id, b.id).await.unwrap();
    s.add(rect("r1", 10.0, 20.0)).await.unwrap();
    s.set_text("r1", "hello").await.unwrap();
    s.update(
        "r1",
        &ElementPatch {
            x: Some(42.0),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    drop(s);
    let s = env.easel.open_board(env.owner.id, b.id).await.unwrap();
    let el = s.element("r1").unwrap();
    assert_eq!(el.x, 42.0);
    assert_eq!(el.text, "hello");
    assert_eq!(s.doc().meta().title, "First");
    assert_eq!(env.easel.store().journal_mode().await.unwrap(), "wal");
}
