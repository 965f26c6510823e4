//! The commands of the `qiangji` binary, as a library so that the end-to-end tests run the same
//! code: `serve`, `demo`, `check`, `checkpoint`, `backup`, `restore`, `migrate`, `user`, `bench`.

pub mod backup;
pub mod bench;
pub mod checkpoint;
pub mod demo;
pub mod import;
pub mod maintenance;
pub mod serve;
