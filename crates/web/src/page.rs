//! What every page shares: the layout data, rendering, the error page, and display helpers.

use crate::auth::Actor;
use askama::Template;
use chrono::DateTime;

/// Data the layout (`base.html`) needs: the title and who is logged in.
pub struct Layout<'a> {
    pub title: String,
    pub user: Option<&'a Actor>,
}

impl<'a> Layout<'a> {
    pub fn new(title: impl Into<String>, actor: &'a Actor) -> Self {
        Layout { title: title.into(), user: Some(actor) }
    }

    pub fn anonymous(title: impl Into<String>) -> Self {
        Layout { title: title.into(), user: None }
    }

    pub fn user_name(&self) -> &str {
        self.user.map_or("", |a| a.display_name.as_str())
    }

    pub fn role_label(&self) -> &'static str {
        self.user.map_or("", |a| a.access.role().label())
    }

    pub fn csrf(&self) -> &str {
        self.user.map_or("", |a| a.csrf_token.as_str())
    }

    /// Unread notifications, shown beside 提醒.
    pub fn unread(&self) -> i64 {
        self.user.map_or(0, |a| a.unread)
    }

    pub fn home_org(&self) -> i64 {
        self.user.map_or(0, |a| a.access.scope_org_id())
    }

    /// Members see only their own record; the tree and lists are for officers.
    pub fn is_officer(&self) -> bool {
        self.user.is_some_and(|a| a.access.self_member_id().is_none())
    }
}

/// Renders a template; a template error is a bug, shown as a plain message rather than a panic.
pub fn render(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!("模板渲染失败：{e}");
        "页面渲染失败".to_owned()
    })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout<'a>,
    status: u16,
    code: &'a str,
    message: &'a str,
}

pub fn error_page(status: u16, code: &str, message: &str) -> String {
    render(&ErrorPage { layout: Layout::anonymous("出错了"), status, code, message })
}

/// An RFC 3339 UTC time shown in China Standard Time.
pub fn local_time(utc: &str) -> String {
    DateTime::parse_from_rfc3339(utc)
        .map(|t| t.with_timezone(&qiangji_domain::date::cst()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| utc.to_owned())
}

/// Page links for a list: (label, offset, is_current).
pub fn pager(total: usize, offset: usize, limit: usize) -> Vec<(String, usize, bool)> {
    if total <= limit {
        return Vec::new();
    }
    let pages = total.div_ceil(limit);
    let current = offset / limit;
    let mut shown: Vec<usize> = vec![0, pages - 1];
    shown.extend(current.saturating_sub(2)..=(current + 2).min(pages - 1));
    shown.sort_unstable();
    shown.dedup();
    shown.into_iter().map(|p| ((p + 1).to_string(), p * limit, p == current)).collect()
}

/// An empty string for None, for form fields.
pub fn opt_date(d: Option<qiangji_domain::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pager_shows_first_last_and_neighbours() {
        let p = pager(1000, 500, 50);
        let labels: Vec<_> = p.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(labels, ["1", "9", "10", "11", "12", "13", "20"]);
        assert!(p.iter().any(|x| x.2 && x.1 == 500));
        assert!(pager(10, 0, 50).is_empty());
    }

    #[test]
    fn times_are_shown_in_china_standard_time() {
        assert_eq!(local_time("2026-11-23T16:30:00.000Z"), "2026-11-24 00:30");
    }
}
