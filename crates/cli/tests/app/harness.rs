//! `TestApp`: a fresh database with the small demo dataset and its accounts, served on port 0.

use qiangji_store::seal::DataKey;
use qiangji_store::{Access, Store};
use qiangji_testkit::http::{Client, extract_csrf};
use qiangji_testkit::{pg, sqlite};

pub use qiangji::demo::DEMO_PASSWORD;

#[derive(Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub rt: tokio::runtime::Runtime,
    pub store: Store,
    /// The application being served, for driving its background work (reminders) from a test.
    pub app: std::sync::Arc<qiangji_web::App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _sqlite: Option<sqlite::TempFile>,
    _pg: Option<pg::TestDatabase>,
}

impl TestApp {
    pub fn spawn(backend: Backend) -> TestApp {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (url, key, sqlite, pg) = match backend {
            Backend::Sqlite => {
                let f = sqlite::fresh_file("app");
                (f.url(), DataKey::for_url(&f.url()).unwrap(), Some(f), None)
            }
            Backend::Postgres => {
                let d = pg::fresh_database("app");
                (d.url.clone(), DataKey::file(d.key_file()), None, Some(d))
            }
        };
        let (store, app, listener) = rt.block_on(async {
            let store = Store::open_with_key(&url, &key).await.expect("open store");
            qiangji::demo::load(&store, "small").await.expect("load demo");
            let app = qiangji_web::App::new(store.clone()).await.expect("app");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            (store, app, listener)
        });
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        rt.spawn(qiangji_web::serve(app.clone(), listener, async {
            let _ = rx.await;
        }));
        TestApp { base, rt, store, app, stop: Some(tx), _sqlite: sqlite, _pg: pg }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client logged in through the login form; returns it and the session's CSRF token.
    pub fn login(&self, username: &str) -> (Client, String) {
        let c = self.client();
        let page = c.get("/login");
        let csrf = extract_csrf(&page.body).expect("login csrf");
        let r = c.post_form(
            "/login",
            &[("csrf", &csrf), ("username", username), ("password", DEMO_PASSWORD), ("next", "/")],
        );
        assert_eq!(r.status, 303, "login as {username}: {}", r.body);
        let home = c.get("/");
        let target = home.header("location").expect("home redirects").to_owned();
        let page = c.get(&target);
        let csrf = extract_csrf(&page.body).expect("session csrf in the layout");
        (c, csrf)
    }

    /// An identity number as the database holds it (sealed), in the clear.
    pub fn clear_id_number(&self, stored: &str) -> String {
        self.store.keys().open(qiangji_store::seal::Field::IdNumber, stored).expect("a sealed identity number")
    }

    pub fn system(&self) -> Access {
        Access::system("测试", 1)
    }

    pub fn head(&self) -> i64 {
        self.rt.block_on(qiangji_store::ledger::head_seq(self.store.db())).unwrap()
    }

    /// The access of a demo account, as the server builds it for that user.
    pub fn access_of(&self, username: &str) -> Access {
        self.rt.block_on(async {
            let token = self.store.login(username, DEMO_PASSWORD).await.unwrap();
            self.store.session(&token).await.unwrap().unwrap().access
        })
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
