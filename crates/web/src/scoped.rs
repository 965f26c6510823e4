//! Loading the record a request is about: scope first (an id outside scope is `NotFound`, like a
//! missing one), then the role. Every write handler starts here, UI and API alike, so that what
//! a refusal says never depends on the input.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_store::Access;
use qiangji_store::member::Member;
use qiangji_store::org::Org;

/// The organization `id` within the actor's scope, if the actor's role passes `allowed`.
pub async fn org(app: &App, actor: &Actor, id: i64, allowed: fn(&Access) -> bool) -> Result<Org, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(allowed(&actor.access))?;
    Ok(org)
}

/// The member `id` within the actor's scope, if the actor's role passes `allowed`.
pub async fn member(app: &App, actor: &Actor, id: i64, allowed: fn(&Access) -> bool) -> Result<Member, AppError> {
    let member = app.store.get_member(&actor.access, MemberId(id)).await?;
    actor.access.require(allowed(&actor.access))?;
    Ok(member)
}
