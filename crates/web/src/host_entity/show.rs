//! `/host-entities/{host_entity_id}`: one entity of the registry with its edit form.

use super::HostEntityForm;
use super::list::{FormPage, form_page};
use crate::App;
use crate::auth::Actor;
use crate::error::{AppError, refusal};
use crate::page::Layout;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use qiangji_domain::host_entity::{EntityStatus, HostEntityId, HostEntityKind};
use qiangji_store::host_entity::HostEntity;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

fn page_of(actor: &Actor, e: HostEntity, form: HostEntityForm, error: Option<(&'static str, String)>) -> Response {
    form_page(FormPage {
        layout: Layout::new(format!("两新组织 · {}", e.fields.name), actor),
        org_id: e.org_id.0,
        org_name: e.org_name.clone(),
        action: format!("/host-entities/{}", e.id.0),
        entity: Some(e),
        form,
        kinds: HostEntityKind::ALL,
        statuses: EntityStatus::ALL,
        error,
        today: qiangji_domain::date::today().to_string(),
    })
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let e = app.store.get_host_entity(&actor.access, HostEntityId(id)).await?;
    let form = HostEntityForm::of(&e);
    Ok(page_of(&actor, e, form, None))
}

/// Saves an entity's fields (found in scope first, so an id outside it is 404 whatever was sent).
pub async fn update_one(app: &App, access: &Access, id: HostEntityId, form: &HostEntityForm) -> Result<(), StoreError> {
    let fields = form.input().validate(qiangji_domain::date::today())?;
    app.store.update_host_entity(access, id, &fields, &form.reason).await
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<HostEntityForm>,
) -> Result<Response, AppError> {
    let e = app.store.get_host_entity(&actor.access, HostEntityId(id)).await?;
    match update_one(&app, &actor.access, e.id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/host-entities/{id}")).into_response()),
        Err(err) => Ok(page_of(&actor, e, form, Some(refusal(err)?))),
    }
}
