//! Members as columns: one vector per attribute, so a scan reads only the bytes it needs and a
//! member costs 14 bytes here.

use crate::day::Day;
use crate::dim::bits;
use crate::facts::MemberFacts;

/// One member row, unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    pub id: u32,
    pub attrs: u16,
    pub born: Day,
    pub joined: Day,
    /// First day as a full member; [`Day::OPEN`] while probationary.
    pub full_on: Day,
    /// Start of the open membership; [`Day::OPEN`] if none is open.
    pub since: Day,
}

#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub id: Vec<u32>,
    pub attrs: Vec<u16>,
    pub born: Vec<Day>,
    pub joined: Vec<Day>,
    pub full_on: Vec<Day>,
    pub since: Vec<Day>,
}

impl Rows {
    pub fn with_capacity(n: usize) -> Rows {
        Rows {
            id: Vec::with_capacity(n),
            attrs: Vec::with_capacity(n),
            born: Vec::with_capacity(n),
            joined: Vec::with_capacity(n),
            full_on: Vec::with_capacity(n),
            since: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn push(&mut self, r: Row) {
        self.id.push(r.id);
        self.attrs.push(r.attrs);
        self.born.push(r.born);
        self.joined.push(r.joined);
        self.full_on.push(r.full_on);
        self.since.push(r.since);
    }

    pub fn get(&self, i: usize) -> Row {
        Row {
            id: self.id[i],
            attrs: self.attrs[i],
            born: self.born[i],
            joined: self.joined[i],
            full_on: self.full_on[i],
            since: self.since[i],
        }
    }

    pub fn is_gone(&self, i: usize) -> bool {
        self.attrs[i] & (1 << bits::GONE) != 0
    }

    pub fn set_gone(&mut self, i: usize) {
        self.attrs[i] |= 1 << bits::GONE;
    }

    /// Heap bytes held.
    pub fn bytes(&self) -> usize {
        self.id.capacity() * 4
            + (self.attrs.capacity() + self.born.capacity()) * 2
            + (self.joined.capacity() + self.full_on.capacity() + self.since.capacity()) * 2
    }
}

/// A date the engine cannot hold is a loud error, never a silently wrong count.
pub(crate) fn day(d: qiangji_domain::Date, what: &str, id: i64) -> Result<Day, String> {
    Day::of(d).ok_or_else(|| format!("党员{id}的{what}（{d}）超出统计引擎支持的日期范围"))
}

impl Row {
    pub fn of(f: &MemberFacts) -> Result<Row, String> {
        let id = u32::try_from(f.id.0).map_err(|_| format!("党员编号{}超出统计引擎的范围", f.id.0))?;
        let irregular = !f.states.is_empty();
        let attrs = u16::from(f.sex.index()) << bits::SEX
            | u16::from(f.minority) << bits::MINORITY
            | u16::from(f.education.index()) << bits::EDUCATION
            | u16::from(f.occupation.index()) << bits::OCCUPATION
            | u16::from(f.status.index()) << bits::STATUS
            | u16::from(f.floating) << bits::FLOATING
            | u16::from(irregular) << bits::IRREGULAR;
        if !irregular && f.status != qiangji_domain::member::MemberStatus::Active {
            return Err(format!("党员{}的党籍状态为“{}”却没有状态记录", f.id.0, f.status.label()));
        }
        Ok(Row {
            id,
            attrs,
            born: day(f.birth_date, "出生日期", f.id.0)?,
            joined: day(f.joined_on, "入党日期", f.id.0)?,
            full_on: match f.full_on {
                Some(d) => day(d, "转正日期", f.id.0)?,
                None => Day::OPEN,
            },
            since: match f.since {
                Some(d) => day(d, "组织关系开始日期", f.id.0)?,
                None => Day::OPEN,
            },
        })
    }

    pub fn status(&self) -> u8 {
        bits::get(self.attrs, bits::STATUS, 3)
    }

    pub fn irregular(&self) -> bool {
        self.attrs & (1 << bits::IRREGULAR) != 0
    }
}
