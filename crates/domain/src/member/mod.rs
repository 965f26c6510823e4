//! Party members (党员): the national baseline fields, their code sets and validation.

mod ethnicity;
mod status;
mod validate;

pub use ethnicity::Ethnicity;
pub use status::{StatusChange, StatusError};
pub(crate) use validate::phone_ok;
pub use validate::{MemberError, MemberFields, MemberInput};

use crate::code_enum;
use crate::date::{self, Date};

/// Typed id of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberId(pub i64);

code_enum!(Sex, "sex", {
    Male = ("male", "男"),
    Female = ("female", "女"),
});

code_enum!(
    /// 学历, in the bulletin's order from highest.
    Education, "education", {
    Postgraduate = ("postgraduate", "研究生"),
    University = ("university", "大学本科"),
    College = ("college", "大学专科"),
    TechnicalSecondary = ("technical_secondary", "中专"),
    HighSchool = ("high_school", "高中"),
    JuniorOrBelow = ("junior_or_below", "初中及以下"),
});

impl Education {
    /// 大专及以上, the bulletin's headline education figure.
    pub fn is_college_or_above(self) -> bool {
        matches!(self, Education::Postgraduate | Education::University | Education::College)
    }
}

code_enum!(
    /// 职业, the categories of the 党内统计公报.
    Occupation, "occupation", {
    Worker = ("worker", "工人（工勤技能人员）"),
    Farmer = ("farmer", "农牧渔民"),
    Professional = ("professional", "企事业单位和社会组织专业技术人员"),
    Manager = ("manager", "企事业单位和社会组织管理人员"),
    CivilServant = ("civil_servant", "党政机关工作人员"),
    Student = ("student", "学生"),
    Other = ("other", "其他职业人员"),
    Retired = ("retired", "离退休人员"),
});

code_enum!(
    /// 正式党员 / 预备党员.
    MemberKind, "member_kind", {
    Full = ("full", "正式党员"),
    Probationary = ("probationary", "预备党员"),
});

code_enum!(
    /// 党籍状态. `Left*` are the ways of leaving the Party; `LeftCancelled` (取消预备党员资格)
    /// ends a probationary member's membership and is last so that existing indexes keep their
    /// values (the statistics engine packs the index into 3 bits: 8 values at most).
    MemberStatus, "member_status", {
    Active = ("active", "正常"),
    Suspended = ("suspended", "停止党籍"),
    LeftExpelled = ("left_expelled", "开除党籍"),
    LeftRemoved = ("left_removed", "除名"),
    LeftSelfWithdrawal = ("left_self_withdrawal", "自行脱党"),
    LeftVoluntary = ("left_voluntary", "退党"),
    Deceased = ("deceased", "去世"),
    LeftCancelled = ("left_cancelled", "取消预备党员资格"),
});

impl MemberStatus {
    /// Counted in the organization's membership (active or suspended members still hold a membership).
    pub fn holds_membership(self) -> bool {
        matches!(self, MemberStatus::Active | MemberStatus::Suspended)
    }
}

code_enum!(
    /// 年龄段 of the bulletin.
    AgeBand, "age_band", {
    UpTo30 = ("le30", "30岁及以下"),
    From31To35 = ("31_35", "31至35岁"),
    From36To40 = ("36_40", "36至40岁"),
    From41To45 = ("41_45", "41至45岁"),
    From46To50 = ("46_50", "46至50岁"),
    From51To55 = ("51_55", "51至55岁"),
    From56To60 = ("56_60", "56至60岁"),
    From61 = ("ge61", "61岁及以上"),
});

impl AgeBand {
    pub fn of_age(age: i32) -> AgeBand {
        match age {
            ..=30 => AgeBand::UpTo30,
            31..=35 => AgeBand::From31To35,
            36..=40 => AgeBand::From36To40,
            41..=45 => AgeBand::From41To45,
            46..=50 => AgeBand::From46To50,
            51..=55 => AgeBand::From51To55,
            56..=60 => AgeBand::From56To60,
            _ => AgeBand::From61,
        }
    }

    pub fn of(born: Date, on: Date) -> AgeBand {
        AgeBand::of_age(date::age_on(born, on))
    }
}

code_enum!(
    /// 入党时间段 of the bulletin: before the founding of the PRC, to the Third Plenum of the 11th
    /// Central Committee (1978-12-18), to the 18th National Congress (2012-11-08), and since.
    JoinPeriod, "join_period", {
    Before1949 = ("before_1949_10", "1949年10月以前"),
    To1978 = ("to_1978_12", "1949年10月至1978年12月"),
    To2012 = ("to_2012_11", "1978年12月至2012年11月"),
    Since2012 = ("since_2012_11", "2012年11月以来"),
});

impl JoinPeriod {
    pub fn of(joined_on: Date) -> JoinPeriod {
        let before = |y, m, d| joined_on < Date::from_ymd_opt(y, m, d).expect("valid boundary");
        if before(1949, 10, 1) {
            JoinPeriod::Before1949
        } else if before(1978, 12, 18) {
            JoinPeriod::To1978
        } else if before(2012, 11, 8) {
            JoinPeriod::To2012
        } else {
            JoinPeriod::Since2012
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_follow_the_bulletin_boundaries() {
        assert_eq!(AgeBand::of_age(30), AgeBand::UpTo30);
        assert_eq!(AgeBand::of_age(31), AgeBand::From31To35);
        assert_eq!(AgeBand::of_age(60), AgeBand::From56To60);
        assert_eq!(AgeBand::of_age(61), AgeBand::From61);
    }

    #[test]
    fn join_periods_split_on_the_bulletin_dates() {
        let d = |s| date::parse(s).unwrap();
        assert_eq!(JoinPeriod::of(d("1949-09-30")), JoinPeriod::Before1949);
        assert_eq!(JoinPeriod::of(d("1949-10-01")), JoinPeriod::To1978);
        assert_eq!(JoinPeriod::of(d("1978-12-18")), JoinPeriod::To2012);
        assert_eq!(JoinPeriod::of(d("2012-11-07")), JoinPeriod::To2012);
        assert_eq!(JoinPeriod::of(d("2012-11-08")), JoinPeriod::Since2012);
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for e in Education::ALL {
            assert_eq!(Education::parse(e.code()), Ok(*e));
            assert_eq!(Education::from_index(e.index()), Some(*e));
        }
        let mut codes: Vec<_> = MemberStatus::ALL.iter().map(|s| s.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), MemberStatus::ALL.len());
    }
}
