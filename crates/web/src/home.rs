//! `/`: officers land on their organization, members on their own record.

use crate::auth::Actor;
use axum::response::Redirect;

pub async fn index(actor: Actor) -> Redirect {
    match actor.access.self_member_id() {
        Some(m) => Redirect::to(&format!("/members/{m}")),
        None => Redirect::to(&format!("/orgs/{}", actor.access.scope_org_id())),
    }
}
