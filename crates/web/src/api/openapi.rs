//! `/api/v1/openapi.json`, generated from the route table so that it lists every endpoint.

use crate::routes::ROUTES;
use axum::Json;
use serde_json::{Map, Value, json};

/// Every stable error code the API can answer with (also listed in docs/errors.md).
pub const ERROR_CODES: &[&str] = &[
    "auth.required",
    "auth.bad_credentials",
    "auth.locked",
    "csrf.invalid",
    "forbidden",
    "not_found",
    "invalid",
    "request.too_large",
    "request.invalid_json",
    "store.unavailable",
    "store.internal",
    "user.username_duplicate",
    "org.name_missing",
    "org.name_too_long",
    "org.code_unknown",
    "org.date_invalid",
    "org.date_in_future",
    "org.term_years_invalid",
    "org.kind_not_allowed_under_parent",
    "org.move_into_own_subtree",
    "org.has_children",
    "org.dissolved",
    "org.no_regional_org_above",
    "org.receiver_inside_dissolved",
    "org.root_is_fixed",
    "meeting.field_missing",
    "meeting.kind_unknown",
    "meeting.date_invalid",
    "meeting.date_in_future",
    "meeting.field_too_long",
    "meeting.attendance_unknown",
    "orglife.rule_min_count_zero",
    "orglife.rule_min_count_invalid",
    "orglife.rule_org_kinds_missing",
    "orglife.rule_org_kind_repeated",
    "orglife.rule_org_kind_unknown",
    "orglife.rule_org_kind_not_evaluated",
    "orglife.rule_not_held_by_org_kind",
    "orglife.rule_conflict",
    "orglife.rule_requirement_unknown",
    "orglife.rule_period_unknown",
    "orglife.rule_date_invalid",
    "orglife.rule_retroactive",
    "meeting.time_invalid",
    "meeting.times_incomplete",
    "meeting.times_out_of_order",
    "attachment.empty",
    "attachment.too_large",
    "attachment.type_unknown",
    "attachment.too_many",
    "attachment.name_invalid",
    "attachment.upload_invalid",
    "member.field_missing",
    "member.name_too_long",
    "member.id_number_invalid",
    "member.id_number_duplicate",
    "member.date_invalid",
    "member.date_in_future",
    "member.code_unknown",
    "member.birth_date_mismatch",
    "member.sex_mismatch",
    "member.joined_under_18",
    "member.full_before_joined",
    "member.full_on_missing",
    "member.probationary_with_full_on",
    "member.work_before_birth",
    "member.phone_invalid",
    "member.filter_invalid",
    "member.in_transfer",
    "member.status_via_development",
    "member.status_illegal",
    "member.reason_missing",
    "member.approval_missing",
    "member.date_before_current_status",
    "member.transferred_out",
    "transfer.illegal_step",
    "transfer.wrong_side",
    "transfer.not_for_direction",
    "transfer.letter_expired",
    "transfer.not_yet_expired",
    "transfer.date_before_last_step",
    "transfer.date_in_future",
    "transfer.date_invalid",
    "transfer.validity_invalid",
    "transfer.dues_month_invalid",
    "transfer.already_open",
    "transfer.member_not_active",
    "transfer.same_org",
    "transfer.destination_missing",
    "transfer.reason_missing",
    "transfer.note_missing",
    "transfer.letter_missing",
    "transfer.member_moved",
    "transfer.action_unknown",
    "transfer.letter_not_issued",
    "stats.date_invalid",
    "stats.date_in_future",
    "stats.filter_invalid",
    "stats.dimension_invalid",
    "stats.table_invalid",
    "stats.encoding_invalid",
    "export.xlsx_failed",
    "export.format_invalid",
    "export.encoding_invalid",
    "export.too_many_rows",
    "floating.already_out",
    "floating.not_out",
    "floating.already_in",
    "floating.not_in",
    "floating.date_invalid",
    "floating.date_in_future",
    "floating.date_order",
    "floating.field_missing",
    "floating.field_too_long",
    "floating.code_unknown",
    "floating.phone_invalid",
    "floating.id_number_invalid",
    "floating.host_is_home",
    "floating.action_unknown",
    "registry.empty",
    "registry.too_many_rows",
    "registry.source_unknown",
    "registry.encoding_invalid",
    "registry.upload_invalid",
    "development.under_age",
    "development.illegal_step",
    "development.step_missing",
    "development.already_done",
    "development.too_early",
    "development.date_before_last_step",
    "development.date_in_future",
    "development.mentors_required",
    "development.sponsors_required",
    "development.training_too_short",
    "development.publicity_too_short",
    "development.vote_invalid",
    "development.quorum_not_met",
    "development.majority_not_met",
    "development.extension_out_of_range",
    "development.extended_already",
    "development.sponsor_not_full",
    "development.id_number_duplicate",
    "development.plan_invalid",
    "development.input_invalid",
];

pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in ROUTES.iter().filter(|r| r.is_api()) {
        let path = r.path.trim_start_matches("/api/v1");
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer" } }))
            .collect();
        let mut op = json!({
            "summary": r.summary,
            "parameters": params,
            "responses": {
                "200": { "description": "成功" },
                "default": { "description": "错误", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        if !r.public {
            op["security"] = json!([{ "bearer": [] }, { "cookie": [] }]);
        }
        if r.is_write() && r.method != "DELETE" {
            op["requestBody"] = json!({ "content": { "application/json": { "schema": { "type": "object" } } } });
        }
        paths.entry(path.to_owned()).or_insert_with(|| json!({}))[r.method.to_ascii_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "强基 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "基层党建智慧管理平台 JSON API。以 POST /session 登录取得令牌，之后以 Authorization: Bearer 令牌 调用；以 Cookie 会话调用写操作时须带 X-CSRF-Token。",
        },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE },
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "enum": ERROR_CODES },
                        "message": { "type": "string", "description": "给人看的中文说明" },
                    },
                },
            },
        },
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
