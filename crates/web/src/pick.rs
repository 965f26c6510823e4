//! The "pick an organization" page shared by moving organizations, moving members and dissolving:
//! a search box, a list of candidates within scope, a reason, and a confirm button.

use crate::page::Layout;
use askama::Template;
use qiangji_store::org::Org;

#[derive(Template)]
#[template(path = "pick.html")]
pub struct PickPage<'a> {
    pub layout: Layout<'a>,
    pub heading: String,
    pub subject_label: &'static str,
    pub subject_name: String,
    pub subject_link: String,
    pub notes: Vec<String>,
    pub error: Option<(&'static str, String)>,
    pub action: String,
    pub q: String,
    pub pick_label: &'static str,
    pub candidates: Vec<Org>,
    pub selected: i64,
    pub with_date: bool,
    pub on: String,
    pub reason: String,
    pub button: &'static str,
    pub button_class: &'static str,
}

/// The posted choice.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PickForm {
    pub target_id: Option<i64>,
    pub on: String,
    pub reason: String,
    pub q: String,
}

/// How many candidates a search shows.
pub const CANDIDATES: i64 = 50;
