//! 强基 domain: the types and rules of Party organizations and members.
//!
//! Pure: no I/O, no database, no HTTP. Values here are already valid — the only way to get a
//! `NewMember` or `NewOrg` is through their `validate` functions, which return typed errors.
//! Persistence lives in `qiangji-store`, HTTP in `qiangji-web`.

pub mod code;
pub mod date;
pub mod development;
pub mod floating;
pub mod host_entity;
pub mod id_number;
pub mod import;
pub mod mask;
pub mod member;
pub mod name;
pub mod org;
pub mod orglife;
pub mod password;
pub mod totp;
pub mod transfer;

pub use date::Date;
