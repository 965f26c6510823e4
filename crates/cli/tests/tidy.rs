//! Keeps the repository honest about itself.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn every_path_named_in_architecture_md_exists() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut checked = 0;
    for part in text.split('`').skip(1).step_by(2) {
        if part.starts_with("crates/") || part.starts_with("docs/") {
            let path = part.trim_end_matches('/');
            let path = path.split('{').next().unwrap().trim_end_matches('/');
            assert!(root().join(path).exists(), "ARCHITECTURE.md names {part}, which does not exist");
            checked += 1;
        }
    }
    assert!(checked >= 10, "checked {checked} paths");
}

#[test]
fn the_domain_crate_depends_on_no_io_crate() {
    let manifest = std::fs::read_to_string(root().join("crates/domain/Cargo.toml")).unwrap();
    for banned in ["sqlx", "axum", "tokio", "serde_json", "hyper"] {
        assert!(!manifest.contains(banned), "crates/domain must not depend on {banned}");
    }
}

#[test]
fn every_migration_exists_for_both_databases() {
    let names = |db: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root().join("crates/store/migrations").join(db))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}
