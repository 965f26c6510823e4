//! Closed sets of codes (kinds, sectors, education levels, …).
//!
//! Each value has a stable English `code` (stored in the database and used in the API; never
//! reused) and a Chinese `label` (shown to people). `code_enum!` writes the boilerplate once.

/// Error for a code that is not one of the set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {set} code `{value}`")]
pub struct UnknownCode {
    pub set: &'static str,
    pub value: String,
}

/// Declares a closed code set: `code_enum!(Name, "set", { Variant = ("code", "标签"), … })`.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $set:literal, { $($variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const SET: &'static str = $set;

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Position in `ALL`; compact for in-memory indexes.
            pub fn index(self) -> u8 {
                self as u8
            }

            pub fn from_index(i: u8) -> Option<Self> {
                Self::ALL.get(i as usize).copied()
            }

            pub fn parse(value: &str) -> Result<Self, $crate::code::UnknownCode> {
                match value {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::code::UnknownCode { set: $set, value: value.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
