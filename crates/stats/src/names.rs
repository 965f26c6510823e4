//! Names and pinyin initials by member id, for list searches ("zs", "张"). Kept apart from the
//! statistics columns: statistics never need them, and a benchmark engine may have none.

/// `at[id]` is the offset of `[name length: u16][name][initials length: u16][initials]` in `buf`.
#[derive(Debug, Default)]
pub(crate) struct Names {
    at: Vec<u32>,
    buf: Vec<u8>,
}

const NONE: u32 = u32::MAX;

impl Names {
    pub fn set(&mut self, id: u32, name: &str, initials: &str) {
        let id = id as usize;
        if name.is_empty() && initials.is_empty() && self.at.get(id).is_none_or(|&a| a == NONE) {
            return;
        }
        if self.at.len() <= id {
            self.at.resize(id + 1, NONE);
        }
        // A rename appends; the old bytes stay until the engine is rebuilt (renames are rare).
        self.at[id] = self.buf.len() as u32;
        for part in [name, initials] {
            let bytes = &part.as_bytes()[..part.len().min(u16::MAX as usize)];
            self.buf.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
            self.buf.extend_from_slice(bytes);
        }
    }

    fn parts(&self, id: u32) -> Option<(&str, &str)> {
        let at = *self.at.get(id as usize).filter(|&&a| a != NONE)? as usize;
        let take = |at: usize| {
            let len = u16::from_le_bytes([self.buf[at], self.buf[at + 1]]) as usize;
            (std::str::from_utf8(&self.buf[at + 2..at + 2 + len]).unwrap_or(""), at + 2 + len)
        };
        let (name, next) = take(at);
        let (initials, _) = take(next);
        Some((name, initials))
    }

    /// Lower-case ASCII letters match pinyin initials from the start; anything else matches the name.
    pub fn matches(&self, id: u32, query: &str) -> bool {
        let q = query.trim();
        if q.is_empty() {
            return true;
        }
        let Some((name, initials)) = self.parts(id) else { return false };
        if q.chars().all(|c| c.is_ascii_alphabetic()) {
            initials.starts_with(&q.to_ascii_lowercase())
        } else {
            name.contains(q)
        }
    }

    pub fn bytes(&self) -> usize {
        self.at.capacity() * 4 + self.buf.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_initials_or_fragment_and_follow_renames() {
        let mut n = Names::default();
        n.set(7, "张三丰", "zsf");
        n.set(3, "李四", "ls");
        assert!(n.matches(7, "zs") && n.matches(7, "ZSF") && n.matches(7, "三"));
        assert!(!n.matches(7, "sf") && !n.matches(3, "张") && !n.matches(5, "zs"));
        assert!(n.matches(5, " "), "an empty query matches everyone");
        n.set(7, "王五", "ww");
        assert!(n.matches(7, "ww") && !n.matches(7, "zs"));
    }
}
