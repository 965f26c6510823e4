//! Every URL of 强基, in one table. `routes!` writes both the router and [`ROUTES`], so a route
//! cannot be served without being listed — the scope tests iterate [`ROUTES`] and the OpenAPI
//! document is generated from it.

use crate::{
    App, account, api, assets, audit, auth, development, floating, home, host_entity, import, member, org, orglife,
    reminder, security, stats, transfer,
};
use axum::Router;
use std::sync::Arc;

/// One route: method, path (axum syntax, ids named `{org_id}` / `{member_id}`), whether it works
/// without logging in, and what it does.
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub public: bool,
    pub summary: &'static str,
}

impl RouteInfo {
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }
}

macro_rules! routes {
    ($( $method:ident $path:literal => $handler:path, $public:literal, $summary:literal; )*) => {
        /// Every route the application serves.
        pub const ROUTES: &[RouteInfo] = &[
            $( RouteInfo { method: method_name!($method), path: $path, public: $public, summary: $summary }, )*
        ];

        fn register(router: Router<Arc<App>>) -> Router<Arc<App>> {
            router $( .route($path, axum::routing::$method($handler)) )*
        }
    };
}

macro_rules! method_name {
    (get) => {
        "GET"
    };
    (post) => {
        "POST"
    };
    (put) => {
        "PUT"
    };
    (delete) => {
        "DELETE"
    };
}

routes! {
    get "/" => home::index, false, "首页：转到本人管理范围的组织";
    get "/login" => auth::login_page, true, "登录页";
    post "/login" => auth::login, true, "登录";
    post "/logout" => auth::logout, false, "退出登录";
    get "/account" => account::page, false, "本人账户：修改密码、在用的会话、安全事件";
    post "/account/password" => account::change_password, false, "修改本人密码（current、new、confirm；其他会话随之结束）";
    post "/account/totp/start" => account::totp_start, false, "开始设置两步验证（生成密钥）";
    post "/account/totp/confirm" => account::totp_confirm, false, "以动态验证码确认并启用两步验证（code）";
    post "/account/totp/disable" => account::totp_disable, false, "停用两步验证（password、code）";
    post "/account/sessions/end" => account::end_sessions, false, "结束本人的会话（session=会话标识，或 others=结束其他全部会话）";
    get "/assets/app.css" => assets::css, true, "样式表";
    get "/assets/app.js" => assets::js, true, "页面脚本";
    get "/orgs/search" => org::search::page, false, "按名称查找组织";
    get "/orgs/{org_id}" => org::show::page, false, "组织详情：属性、班子、下级组织、党员数";
    get "/orgs/{org_id}/children" => org::show::children, false, "下级组织列表（组织树展开用）";
    get "/orgs/{org_id}/new" => org::edit::new_form, false, "新建下级组织表单";
    post "/orgs/{org_id}/new" => org::edit::create, false, "新建下级组织";
    get "/orgs/{org_id}/edit" => org::edit::edit_form, false, "编辑组织表单";
    post "/orgs/{org_id}/edit" => org::edit::update, false, "保存组织属性";
    get "/orgs/{org_id}/posts" => org::posts::form, false, "编辑班子成员表单";
    post "/orgs/{org_id}/posts" => org::posts::submit, false, "保存班子成员";
    get "/orgs/{org_id}/move" => org::relocate::form, false, "调整隶属关系表单";
    post "/orgs/{org_id}/move" => org::relocate::submit, false, "调整隶属关系";
    get "/orgs/{org_id}/dissolve" => org::dissolve::form, false, "撤销组织表单";
    post "/orgs/{org_id}/dissolve" => org::dissolve::submit, false, "撤销组织";
    get "/orgs/{org_id}/orglife" => orglife::show::org_page, false, "组织生活：本年度各项要求完成情况与活动记录";
    get "/orgs/{org_id}/orglife/new" => orglife::record::form, false, "登记组织生活表单（含出席情况）";
    post "/orgs/{org_id}/orglife/new" => orglife::record::create, false, "登记组织生活";
    get "/orgs/{org_id}/warnings" => orglife::board::page, false, "预警看板：本组织及下级组织逾期和即将到期的组织生活要求、组织设置与换届、党员连续未参加组织生活";
    get "/orglife/rules" => orglife::rules::page, false, "组织生活规则：各版本及现行规则";
    post "/orglife/rules" => orglife::rules::add, false, "新增组织生活规则版本（全域管理员）";
    get "/meetings/{meeting_id}" => orglife::show::meeting, false, "组织生活记录详情与出席情况";
    post "/meetings/{meeting_id}/confirm" => orglife::show::confirm, false, "党员确认本人出席情况";
    get "/orgs/{org_id}/reminders" => reminder::outbox::page, false, "提醒发送记录：本组织及下级组织的提醒与各渠道送达情况";
    get "/notifications" => reminder::notifications::page, false, "提醒：本人收到的组织生活提醒";
    post "/notifications/{notification_id}/read" => reminder::notifications::read, false, "将本人的一条提醒标为已读";
    post "/meetings/{meeting_id}/attachments" => orglife::attachment::upload, false, "上传照片或附件（multipart，字段 file；csrf 在地址中）";
    get "/meetings/{meeting_id}/attachments/{attachment_id}" => orglife::attachment::download, false, "照片或附件文件";
    get "/orgs/{org_id}/verification" => orglife::verify::page, false, "需核实：本组织及下级组织疑似形式主义的组织生活记录";
    get "/orgs/{org_id}/stats" => stats::show::page, false, "党内统计：公报各表、组织数、交叉统计、图表（可选统计日期和筛选条件）";
    get "/orgs/{org_id}/stats/members" => stats::drill::page, false, "统计明细：任一统计数字对应的党员";
    get "/orgs/{org_id}/stats/export.xlsx" => stats::download::xlsx, false, "下载统计表（Excel）";
    get "/orgs/{org_id}/stats/export.csv" => stats::download::csv, false, "下载统计表（CSV，encoding=utf8|gbk，table=表名|all）";
    get "/orgs/{org_id}/stats/print" => stats::download::print, false, "打印统计表（统计日期和筛选条件同党内统计页）";
    get "/orgs/{org_id}/members" => member::list::page, false, "党员列表：筛选、检索、分页";
    get "/orgs/{org_id}/members/export" => member::export::export, false, "下载党员列表（全部符合筛选条件的党员；format=xlsx|csv，encoding=utf8|gbk，其余同党员列表）";
    get "/orgs/{org_id}/members/print" => member::export::print, false, "打印党员名册（A4，每页重复表头；筛选条件同党员列表）";
    get "/orgs/{org_id}/members/new" => member::edit::new_form, false, "登记党员表单";
    post "/orgs/{org_id}/members/new" => member::edit::create, false, "登记党员";
    get "/members/{member_id}" => member::show::page, false, "党员详情与历史";
    post "/members/{member_id}/reveal" => member::show::reveal, false, "查看完整身份证号和电话（purpose 必填，记入档案）";
    get "/members/{member_id}/print" => member::show::print, false, "打印党员信息登记表（基本信息、组织关系、类别与党籍、变更记录）";
    get "/members/{member_id}/edit" => member::edit::edit_form, false, "编辑党员信息表单";
    post "/members/{member_id}/edit" => member::edit::update, false, "保存党员信息";
    get "/members/{member_id}/move" => member::relocate::form, false, "调整党员所在组织表单";
    post "/members/{member_id}/move" => member::relocate::submit, false, "调整党员所在组织";
    get "/members/{member_id}/status" => member::status::form, false, "变更党籍状态表单";
    post "/members/{member_id}/status" => member::status::submit, false, "变更党籍状态：停止、恢复、出党、去世（须写原因，去世以外须写批准机关和日期）";
    get "/members/{member_id}/transfer" => transfer::request_form, false, "发起组织关系转接表单（可在全系统查找转入组织）";
    post "/members/{member_id}/transfer" => transfer::request, false, "发起组织关系转接";
    get "/orgs/{org_id}/transfers" => transfer::list, false, "组织关系转接：本组织及下级组织转出和转入的转接";
    get "/orgs/{org_id}/transfers/export" => transfer::export, false, "下载组织关系转接（转出、转入两表，不限500项；format=xlsx|csv，encoding=utf8|gbk，all=true 含已办结）";
    get "/transfers/{transfer_id}" => transfer::show, false, "一项组织关系转接：状态、办理记录和可办理的步骤";
    post "/transfers/{transfer_id}/steps" => transfer::step, false, "办理组织关系转接的一步";
    get "/transfers/{transfer_id}/letter" => transfer::letter, false, "打印组织关系介绍信（存根、介绍信、回执）";
    post "/transfers/{transfer_id}/letter" => transfer::letter_in_full, false, "介绍信显示完整身份证号（记入该党员档案）";
    get "/orgs/{org_id}/floating" => floating::org::page, false, "流动党员：本组织及下级组织的流出党员（流入地、外出日期、最近联系、提示）和流入党员";
    get "/orgs/{org_id}/floating/export" => floating::org::export, false, "下载流动党员（流出、流入两表；format=xlsx|csv，encoding=utf8|gbk）";
    post "/orgs/{org_id}/floating" => floating::org::submit, false, "登记流入党员（action=inflow）或结束一条流入登记（action=end）";
    get "/members/{member_id}/floating" => floating::member::page, false, "党员流动情况：流出、流入登记和联系记录";
    post "/members/{member_id}/floating" => floating::member::submit, false, "登记流出、联系或结束流出（action=outflow|contact|end）";
    get "/orgs/{org_id}/registry" => floating::registry::page, false, "信息比对：导入公安、市场监管、税务名单，查看比对结果（batch=导入编号）";
    post "/orgs/{org_id}/registry" => floating::registry::upload, false, "导入名单并比对（multipart：file 为 xlsx 或 CSV、source、area；csrf 在地址中）";
    get "/orgs/{org_id}/host-entities" => host_entity::list::page, false, "两新组织台账：本组织及下级组织的非公有制企业、社会组织等（q=名称或信用代码，kind，offset）";
    get "/orgs/{org_id}/host-entities/export" => host_entity::list::export, false, "下载两新组织台账（全部符合条件的单位；format=xlsx|csv，encoding=utf8|gbk，其余同台账页）";
    get "/orgs/{org_id}/host-entities/new" => host_entity::list::new_form, false, "登记两新组织表单";
    post "/orgs/{org_id}/host-entities/new" => host_entity::list::create, false, "登记两新组织";
    get "/orgs/{org_id}/host-entities/reconcile" => host_entity::reconcile::form, false, "两新组织信息比对：上传市场监管、民政名单（xlsx 或 CSV），历次比对";
    post "/orgs/{org_id}/host-entities/reconcile" => host_entity::reconcile::upload, false, "上传名单并比对（multipart：file、source=market|civil_affairs；csrf 在地址中）";
    get "/host-entities/{host_entity_id}" => host_entity::show::page, false, "两新组织详情与编辑表单";
    post "/host-entities/{host_entity_id}" => host_entity::show::update, false, "保存两新组织信息";
    get "/reconciliations/{reconciliation_id}" => host_entity::reconcile::show, false, "比对结果：一致、信息不一致、注销吊销、新登记、名单中没有、无法读取";
    get "/reconciliations/{reconciliation_id}/export" => host_entity::reconcile::export, false, "下载比对结果（每部分一张表；format=xlsx|csv，encoding=utf8|gbk）";
    post "/reconciliations/{reconciliation_id}/apply" => host_entity::reconcile::apply, false, "按比对结果处理（action=take_in 收录新登记|deregister 改为注销吊销|mark_missing 标为待核实；全部成功或全部不做）";
    get "/orgs/{org_id}/development" => development::list::page, false, "发展党员：本组织及下级组织的入党申请人、积极分子、发展对象、预备党员，下一步骤、期限与提示，年度计划";
    get "/orgs/{org_id}/development/export" => development::list::export, false, "下载发展党员名单（format=xlsx|csv，encoding=utf8|gbk）";
    post "/orgs/{org_id}/development/apply" => development::list::apply, false, "登记入党申请";
    post "/orgs/{org_id}/development/plan" => development::list::plan, false, "制定或调整年度发展计划";
    get "/developees/{developee_id}" => development::show::page, false, "发展党员个人：发展过程与下一步骤";
    post "/developees/{developee_id}/steps" => development::show::record, false, "登记发展党员的下一步骤";
    get "/orgs/{org_id}/import" => import::form, false, "导入党员花名册、党组织或组织生活记录（kind）：上传 xlsx 或 CSV（UTF-8、GBK），下载模板";
    post "/orgs/{org_id}/import" => import::upload, false, "上传导入文件（multipart：file、kind、mode=skip|update|fill；csrf 在地址中），转到预览";
    get "/orgs/{org_id}/import/template" => import::template, false, "下载导入模板（xlsx；kind=members|orgs|meetings）";
    get "/imports/{batch_id}" => import::preview, false, "导入预览：每一行的错误和提示，无错误时可整批导入";
    post "/imports/{batch_id}/commit" => import::commit_page, false, "整批导入（全部成功或全部不导入）";
    post "/imports/{batch_id}/rollback" => import::rollback_page, false, "撤销已导入的一批（须写原因；导入后有变更的不能撤销）";
    get "/audit" => audit::page, false, "审计日志";

    get "/api/v1/openapi.json" => api::openapi::document, true, "OpenAPI 描述";
    post "/api/v1/session" => api::session::create, true, "登录，取得令牌";
    delete "/api/v1/session" => api::session::delete, false, "退出登录";
    get "/api/v1/me" => api::session::me, false, "当前用户";
    put "/api/v1/me/password" => account::api_change_password, false, "修改本人密码（current、new；其他会话随之结束）";
    get "/api/v1/me/sessions" => account::api_sessions, false, "本人在用的会话";
    delete "/api/v1/me/sessions" => account::api_end_other_sessions, false, "结束本人的其他全部会话";
    get "/api/v1/orgs" => api::org::search, false, "按名称查找组织（q）";
    get "/api/v1/orgs/{org_id}" => api::org::get, false, "组织详情";
    put "/api/v1/orgs/{org_id}" => api::org::update, false, "修改组织属性";
    get "/api/v1/orgs/{org_id}/posts" => api::org::posts, false, "班子成员";
    put "/api/v1/orgs/{org_id}/posts" => api::org::set_posts, false, "修改班子成员";
    get "/api/v1/orgs/{org_id}/children" => api::org::children, false, "下级组织";
    post "/api/v1/orgs/{org_id}/children" => api::org::create, false, "新建下级组织";
    post "/api/v1/orgs/{org_id}/move" => api::org::relocate, false, "调整隶属关系";
    post "/api/v1/orgs/{org_id}/dissolve" => api::org::dissolve, false, "撤销组织";
    get "/api/v1/orgs/{org_id}/stats" => api::stats::get, false, "党内统计（on=统计日期；各维度=取值 为筛选条件；rows、cols 为交叉统计）";
    get "/api/v1/orgs/{org_id}/stats/members" => api::stats::members, false, "统计明细：符合条件的党员（offset、limit）";
    get "/api/v1/orgs/{org_id}/meetings" => api::orglife::list, false, "本组织的组织生活记录（from、to）与本年度各项要求完成情况";
    post "/api/v1/orgs/{org_id}/meetings" => api::orglife::create, false, "登记组织生活（含出席情况 attendance）";
    get "/api/v1/orgs/{org_id}/warnings" => api::orglife::warnings, false, "预警看板（view=requirements|structure|absence，offset）";
    get "/api/v1/orglife/rules" => api::orglife::rules, false, "组织生活规则：各版本及现行状态";
    post "/api/v1/orglife/rules" => api::orglife::add_rule, false, "新增组织生活规则版本（全域管理员）";
    get "/api/v1/meetings/{meeting_id}" => api::orglife::get, false, "组织生活记录详情";
    post "/api/v1/meetings/{meeting_id}/confirm" => api::orglife::confirm, false, "党员确认本人出席情况";
    get "/api/v1/orgs/{org_id}/reminders" => api::reminder::outbox, false, "提醒发送记录（offset）：本组织及下级组织的提醒与各渠道送达情况";
    get "/api/v1/notifications" => api::reminder::notifications, false, "本人收到的提醒（offset）";
    post "/api/v1/notifications/{notification_id}/read" => api::reminder::read, false, "将本人的一条提醒标为已读";
    post "/api/v1/meetings/{meeting_id}/attachments" => api::orglife::add_attachment, false, "上传照片或附件（multipart，字段 file）";
    get "/api/v1/orgs/{org_id}/verification" => api::orglife::verification, false, "需核实：疑似形式主义的组织生活记录（offset）";
    get "/api/v1/orgs/{org_id}/members" => api::member::list, false, "党员列表（筛选、检索、分页）";
    post "/api/v1/orgs/{org_id}/members" => api::member::create, false, "登记党员";
    get "/api/v1/members/{member_id}" => api::member::get, false, "党员详情";
    put "/api/v1/members/{member_id}" => api::member::update, false, "修改党员信息（身份证号、电话留空则不修改）";
    post "/api/v1/members/{member_id}/personal" => api::member::reveal, false, "完整身份证号和电话（purpose 必填，记入档案）";
    post "/api/v1/members/{member_id}/move" => api::member::relocate, false, "调整党员所在组织";
    post "/api/v1/members/{member_id}/status" => api::member::change_status, false, "变更党籍状态";
    post "/api/v1/members/{member_id}/transfers" => api::transfer::request, false, "发起组织关系转接";
    get "/api/v1/orgs/{org_id}/transfers" => api::transfer::list, false, "本组织及下级组织的组织关系转接（all=true 含已办结）";
    get "/api/v1/transfers/{transfer_id}" => api::transfer::get, false, "一项组织关系转接及其办理记录";
    post "/api/v1/transfers/{transfer_id}/steps" => api::transfer::take_step, false, "办理组织关系转接的一步";
    get "/api/v1/members/{member_id}/history" => api::member::history, false, "党员历史";
    get "/api/v1/orgs/{org_id}/floating" => api::floating::list, false, "流动党员：流出（outflows，含提示 warnings）和流入（inflows）登记（ended=1 含已结束）";
    post "/api/v1/orgs/{org_id}/floating" => api::floating::org_action, false, "登记流入（action=inflow）或结束一条登记（action=end，floating_id）";
    post "/api/v1/members/{member_id}/floating" => api::floating::member_action, false, "党员流动：登记流出、联系或结束流出（action=outflow|contact|end）";
    post "/api/v1/orgs/{org_id}/registry" => api::floating::registry, false, "导入名单并比对（请求体为 xlsx 或 CSV（UTF-8 或 GBK）；source=police|market|tax，area，file_name）";
    get "/api/v1/orgs/{org_id}/host-entities" => api::host_entity::list, false, "两新组织台账（q、kind、offset、limit）";
    post "/api/v1/orgs/{org_id}/host-entities" => api::host_entity::create, false, "登记两新组织";
    get "/api/v1/host-entities/{host_entity_id}" => api::host_entity::get, false, "两新组织详情";
    put "/api/v1/host-entities/{host_entity_id}" => api::host_entity::update, false, "修改两新组织信息";
    post "/api/v1/orgs/{org_id}/host-entities/reconcile" => api::host_entity::reconcile, false, "上传名单并比对（请求体为 xlsx 或 CSV；source=market|civil_affairs，file_name），返回比对结果";
    get "/api/v1/reconciliations/{reconciliation_id}" => api::host_entity::get_reconciliation, false, "比对结果（按当前台账重新比对；counts_at_run 为比对时的数量）";
    post "/api/v1/reconciliations/{reconciliation_id}/apply" => api::host_entity::apply, false, "按比对结果处理（action=take_in|deregister|mark_missing，reason）";
    get "/api/v1/orgs/{org_id}/development" => api::development::list, false, "发展党员：各阶段人数、本年度计划与完成、每人的下一步骤与提示";
    post "/api/v1/orgs/{org_id}/development" => api::development::create, false, "登记入党申请";
    get "/api/v1/developees/{developee_id}" => api::development::get, false, "发展党员个人：发展过程、下一步骤、可登记的步骤";
    post "/api/v1/developees/{developee_id}/steps" => api::development::add_step, false, "登记下一步骤（step、on 及该步骤所需内容）";
    post "/api/v1/orgs/{org_id}/imports" => import::api_upload, false, "上传导入文件（请求体为文件；kind=members|orgs|meetings、file_name、mode=skip|update|fill），返回预览";
    get "/api/v1/imports/{batch_id}" => import::api_get, false, "导入预览：汇总和有问题的行";
    post "/api/v1/imports/{batch_id}/commit" => import::api_commit, false, "整批导入";
    post "/api/v1/imports/{batch_id}/rollback" => import::api_rollback, false, "撤销已导入的一批（reason）";
    get "/api/v1/audit" => api::audit::list, false, "审计日志";
}

/// The whole application: every route behind the session and CSRF guard.
pub fn router(app: Arc<App>) -> Router {
    register(Router::new())
        .fallback(|uri: axum::http::Uri| async move {
            let e = crate::AppError::not_found();
            if uri.path().starts_with("/api/") { e.json() } else { e }
        })
        // Uploads are the largest bodies; urlencoded forms are still read to 2 MB by the guard.
        .layer(axum::extract::DefaultBodyLimit::max(orglife::attachment::REQUEST_MAX))
        .layer(axum::middleware::from_fn_with_state(app.clone(), auth::guard))
        .layer(axum::middleware::from_fn_with_state(app.clone(), security::limit))
        .layer(axum::middleware::from_fn_with_state(app.clone(), security::headers))
        .with_state(app)
}
