//! The commands of the `qiangji` binary, as a library so that the end-to-end tests run the same
//! code: `serve`, `demo`, `check`, `migrate`, `user`, `bench`.

pub mod bench;
pub mod demo;
pub mod import;
pub mod maintenance;
pub mod serve;
