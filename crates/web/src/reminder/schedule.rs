//! Which reminders a day owes: every requirement on the whole tree's board that reached a stage
//! (15, 7, 3 days left; overdue) since the day reminders were last scheduled, or — the first
//! time — that very day, so that turning reminders on does not bury secretaries in old news.

use crate::App;
use qiangji_domain::Date;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{Requirement, Stage, Status, stage_reached};
use qiangji_store::StoreError;
use qiangji_store::reminder::{Channel, NewReminder};

/// The message of a reminder: a title that fits an SMS and a body that says what to do.
pub fn text(org_name: &str, r: &Requirement, stage: Stage) -> (String, String) {
    let what = format!("{}{}", r.period, r.kind.label());
    let title = match (r.status, r.days_left) {
        (Status::Overdue, _) => format!("{org_name}：{what}已逾期"),
        (_, Some(d)) => format!("{org_name}：{what}还剩{d}天截止"),
        _ => format!("{org_name}：{what}将于{}截止", r.due()),
    };
    let body = format!(
        "{title}（{}提醒）。应开展{}次，已开展{}次，截止日期{}。请及时组织开展并在强基平台登记组织生活记录。",
        stage.label(),
        r.required,
        r.held,
        r.due()
    );
    (title, body)
}

/// Enqueues the reminders `on` owes for `channels` and returns how many were new, or `None` if
/// `on` was scheduled already (once a day is enough; enqueueing again would change nothing).
pub async fn run(app: &App, on: Date, channels: &[Channel]) -> Result<Option<usize>, StoreError> {
    let last = app.store.last_scheduled_on(&app.system).await?;
    if last.is_some_and(|l| l >= on) {
        return Ok(None);
    }
    let Some(root) = app.store.root_org_id().await? else { return Ok(None) };
    let due: Vec<(OrgId, Requirement, Stage)> = {
        let engine = app.engine.read().await;
        let board = engine.board(&app.system, OrgId(root), on, &app.rules());
        board
            .warnings
            .into_iter()
            .filter_map(|w| stage_reached(&w.requirement, last, on).map(|s| (w.org, w.requirement, s)))
            .collect()
    };
    let mut ids: Vec<OrgId> = due.iter().map(|d| d.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = std::collections::HashMap::new();
    // In slices: a city's first 15-day mark names thousands of organizations.
    for slice in ids.chunks(5000) {
        names.extend(app.store.org_names(&app.system, slice).await?);
    }
    let reminders: Vec<NewReminder> = due
        .into_iter()
        .map(|(org, requirement, stage)| {
            let (title, body) = text(names.get(&org).map_or("", String::as_str), &requirement, stage);
            NewReminder { org, requirement, stage, title, body }
        })
        .collect();
    let new = app.store.enqueue_reminders(&app.system, &reminders, channels, chrono::Utc::now()).await?;
    app.store.set_scheduled_on(&app.system, on).await?;
    Ok(Some(new))
}
