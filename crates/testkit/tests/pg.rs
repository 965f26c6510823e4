//! The PostgreSQL helpers against a real server: the private cluster, or
//! `QIANGJI_TEST_PG_URL` when set.

use qiangji_testkit::pg;

#[test]
fn fresh_databases_are_separate_usable_and_dropped_afterwards() {
    let server = pg::server_url();
    let first = pg::fresh_database("testkit-pg");
    let second = pg::fresh_database("testkit-pg");
    assert_ne!(first.name(), second.name());
    assert_ne!(first.url, second.url);

    for db in [&first, &second] {
        assert_eq!(db.psql("SELECT 1"), "1");
        assert_eq!(db.psql("SELECT current_database()"), db.name());
        // UTF-8 text round-trips, which the Chinese UI depends on.
        assert_eq!(db.psql("SELECT '张三' || '，你好'"), "张三，你好");
    }
    // A table in one database is invisible in the other.
    first.psql("CREATE TABLE only_here (id int)");
    assert_eq!(second.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"), "0");

    let names = [first.name().to_owned(), second.name().to_owned()];
    drop(first);
    drop(second);
    if std::env::var_os("QIANGJI_TEST_KEEP_DB").is_none() {
        for name in names {
            let count = pg::psql(&server, &format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
            assert_eq!(count, "0", "database {name} should have been dropped");
        }
    }
}

#[test]
fn databases_can_be_created_from_many_threads_at_once() {
    let handles: Vec<_> = (0..6)
        .map(|i| {
            std::thread::spawn(move || {
                let db = pg::fresh_database(&format!("parallel{i}"));
                assert_eq!(db.psql("SELECT 40 + 2"), "42");
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("thread creating a database panicked");
    }
}
