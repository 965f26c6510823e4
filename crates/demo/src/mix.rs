//! The membership mix: the proportions of the 2023 中国共产党党内统计公报 and how the generator meets
//! them while every branch keeps its own character.
//!
//! A branch has a *flavour* (a village branch, a hospital branch, a retirees' branch …). Each flavour
//! has affinities for the eight occupations; occupations have affinities for the age bands; occupation
//! and age together have affinities for the education levels. Iterative proportional fitting (raking)
//! turns those affinities into conditional probabilities whose totals over the whole tree hit the
//! bulletin: a village branch stays mostly farmers, yet the city as a whole has 26.1% farmers.

use qiangji_domain::member::{Education, Occupation};

/// The character of a branch, which decides who its members are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    Village,
    Community,
    Organ,
    School,
    Students,
    Hospital,
    StateFirm,
    PrivateFirm,
    SocialOrg,
    Retirees,
    Regional,
}

impl Flavour {
    /// The year from which branches of this kind were commonly set up (private enterprises' from the
    /// 1990s, regional organizations' from the 2000s). Members who joined the Party earlier mostly
    /// transferred in from elsewhere.
    pub(crate) fn since_year(self) -> i32 {
        match self {
            Flavour::Village | Flavour::Organ => 1949,
            Flavour::School | Flavour::Hospital | Flavour::Students => 1952,
            Flavour::StateFirm => 1953,
            Flavour::Community => 1980,
            Flavour::Retirees => 1982,
            Flavour::PrivateFirm => 1990,
            Flavour::SocialOrg => 1995,
            Flavour::Regional => 2005,
        }
    }
}

pub(crate) const FLAVOURS: usize = 11;
pub(crate) const OCCUPATIONS: usize = 8;
pub(crate) const BANDS: usize = 8;
pub(crate) const EDUCATIONS: usize = 6;

/// Bulletin shares, in the order of `Occupation::ALL`. The published figures add up to 99.0%; the
/// missing point (rounding and unlisted groups) is given to 其他职业人员.
const OCCUPATION_SHARE: [f64; OCCUPATIONS] = [6.6, 26.1, 16.1, 11.0, 7.8, 3.1, 9.0, 20.3];

/// Bulletin shares, in the order of `AgeBand::ALL` (≤30 … ≥61).
const BAND_SHARE: [f64; BANDS] = [12.7, 10.9, 10.6, 9.0, 9.1, 9.6, 9.1, 29.0];

/// Bulletin shares, in the order of `Education::ALL` (研究生 … 初中及以下); 大专及以上 is 56%.
const EDUCATION_SHARE: [f64; EDUCATIONS] = [4.0, 32.0, 20.0, 8.0, 10.0, 26.0];

/// Share of women among members.
pub(crate) const WOMEN: f64 = 0.304;
/// Share of ethnic minorities among members.
pub(crate) const MINORITIES: f64 = 0.078;
/// Share of probationary members.
const PROBATIONARY: f64 = 0.024;
const FLOATING: f64 = 0.025;
const HARDSHIP: f64 = 0.01;

/// Occupation affinities of each flavour (columns: worker, farmer, professional, manager, civil servant,
/// student, other, retired). Zeros are combinations that do not occur (no farmers in a hospital branch).
const FLAVOUR_OCCUPATION: [[f64; OCCUPATIONS]; FLAVOURS] = [
    [0.3, 6.0, 0.15, 0.2, 0.1, 0.0, 0.6, 1.2],     // Village
    [0.8, 0.5, 0.6, 0.5, 0.2, 0.03, 1.5, 3.0],     // Community
    [0.3, 0.0, 1.0, 0.5, 6.0, 0.0, 0.1, 0.05],     // Organ
    [0.15, 0.0, 6.0, 1.0, 0.1, 0.0, 0.1, 0.05],    // School
    [0.0, 0.0, 0.15, 0.05, 0.0, 6.0, 0.0, 0.0],    // Students
    [0.3, 0.0, 6.0, 1.0, 0.05, 0.0, 0.1, 0.05],    // Hospital
    [1.5, 0.0, 2.0, 2.5, 0.1, 0.0, 0.2, 0.2],      // StateFirm
    [2.5, 0.05, 2.0, 2.5, 0.0, 0.0, 0.8, 0.1],     // PrivateFirm
    [0.3, 0.0, 2.5, 2.0, 0.0, 0.0, 1.2, 0.3],      // SocialOrg
    [0.0, 0.0, 0.05, 0.05, 0.05, 0.0, 0.05, 10.0], // Retirees
    [1.5, 0.8, 0.5, 0.6, 0.0, 0.0, 3.0, 0.8],      // Regional
];

/// Age-band affinities of each occupation: students are young, the retired are 56 and over
/// (retirement at 55 or later), farmers are old.
const OCCUPATION_BAND: [[f64; BANDS]; OCCUPATIONS] = [
    [1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.5, 0.05], // worker
    [0.15, 0.2, 0.3, 0.5, 0.8, 1.0, 1.2, 1.6], // farmer
    [1.2, 1.2, 1.1, 1.0, 0.9, 0.8, 0.5, 0.03], // professional
    [0.6, 1.0, 1.1, 1.1, 1.1, 1.0, 0.6, 0.03], // manager
    [0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.0],  // civil servant
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  // student
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8],  // other
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 1.0],  // retired
];

/// Education affinities by occupation (columns: 研究生, 本科, 专科, 中专, 高中, 初中及以下).
const OCCUPATION_EDUCATION: [[f64; EDUCATIONS]; OCCUPATIONS] = [
    [0.01, 0.15, 0.5, 1.0, 1.0, 1.0], // worker
    [0.0, 0.05, 0.15, 0.4, 0.8, 1.5], // farmer
    [0.3, 1.5, 0.8, 0.2, 0.05, 0.01], // professional
    [0.15, 1.2, 1.0, 0.3, 0.2, 0.05], // manager
    [0.3, 1.5, 0.5, 0.05, 0.02, 0.0], // civil servant
    [0.3, 1.5, 0.6, 0.0, 0.0, 0.0],   // student
    [0.03, 0.5, 0.8, 0.6, 0.8, 0.8],  // other
    [0.02, 0.4, 0.4, 0.5, 0.8, 1.2],  // retired
];

/// Education affinities by age band: the young are better educated.
const BAND_EDUCATION: [[f64; EDUCATIONS]; BANDS] = [
    [1.2, 1.5, 1.0, 0.4, 0.2, 0.1],
    [1.2, 1.4, 1.0, 0.5, 0.3, 0.2],
    [1.0, 1.2, 1.0, 0.7, 0.5, 0.4],
    [0.8, 1.0, 1.0, 0.9, 0.8, 0.7],
    [0.6, 0.8, 1.0, 1.0, 1.0, 1.0],
    [0.4, 0.6, 0.9, 1.0, 1.1, 1.2],
    [0.3, 0.5, 0.8, 1.0, 1.2, 1.4],
    [0.2, 0.4, 0.6, 0.9, 1.2, 1.6],
];

/// Relative odds of a member being a woman, by flavour, occupation and age band (new members are
/// increasingly women; schools and hospitals employ many).
const WOMEN_BY_FLAVOUR: [f64; FLAVOURS] = [0.8, 1.1, 1.0, 1.7, 1.3, 1.8, 0.8, 0.9, 1.3, 0.8, 0.9];
const WOMEN_BY_OCCUPATION: [f64; OCCUPATIONS] = [0.8, 0.6, 1.4, 0.9, 1.0, 1.8, 1.0, 0.7];
const WOMEN_BY_BAND: [f64; BANDS] = [1.6, 1.4, 1.2, 1.1, 1.0, 0.9, 0.8, 0.6];

/// Relative chance of being probationary: new members are young (students above all), never retired.
const PROBATIONARY_BY_OCCUPATION: [f64; OCCUPATIONS] = [1.0, 0.5, 1.0, 0.8, 1.0, 3.0, 1.0, 0.0];
const PROBATIONARY_BY_BAND: [f64; BANDS] = [1.0, 0.45, 0.18, 0.11, 0.07, 0.05, 0.0, 0.0];

/// Relative chance of being a floating member: migrant workers and self-employed above all.
const FLOATING_BY_OCCUPATION: [f64; OCCUPATIONS] = [2.0, 1.2, 0.6, 0.5, 0.05, 0.8, 2.5, 0.3];
const FLOATING_BY_BAND: [f64; BANDS] = [1.3, 1.3, 1.3, 1.1, 1.0, 0.8, 0.6, 0.4];

/// Relative chance of hardship: the old, farmers, those without a steady job.
const HARDSHIP_BY_OCCUPATION: [f64; OCCUPATIONS] = [0.5, 1.5, 0.1, 0.05, 0.0, 0.3, 1.0, 1.5];
const HARDSHIP_BY_BAND: [f64; BANDS] = [0.2, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 2.5];

/// Conditional probabilities fitted to one tree's branches.
pub(crate) struct Mix {
    /// P(occupation | flavour).
    pub occupation: [[f64; OCCUPATIONS]; FLAVOURS],
    /// P(age band | occupation).
    pub band: [[f64; BANDS]; OCCUPATIONS],
    /// P(education | occupation, age band).
    pub education: [[[f64; EDUCATIONS]; BANDS]; OCCUPATIONS],
    /// P(woman | flavour, occupation, age band).
    pub woman: [[[f64; BANDS]; OCCUPATIONS]; FLAVOURS],
    /// P(probationary | occupation, age band).
    pub probationary: [[f64; BANDS]; OCCUPATIONS],
    pub floating: [[f64; BANDS]; OCCUPATIONS],
    pub hardship: [[f64; BANDS]; OCCUPATIONS],
}

/// Scales `m` until its row sums are `rows` and its column sums are `cols` (proportional to; the
/// column targets are rescaled to the row total). Zero cells stay zero.
fn rake<const R: usize, const C: usize>(m: &mut [[f64; C]; R], rows: &[f64; R], cols: &[f64; C]) {
    let total: f64 = rows.iter().sum();
    let col_total: f64 = cols.iter().sum();
    let cols: Vec<f64> = cols.iter().map(|c| c / col_total * total).collect();
    for _ in 0..300 {
        for (row, target) in m.iter_mut().zip(rows) {
            let s: f64 = row.iter().sum();
            if s > 0.0 {
                row.iter_mut().for_each(|x| *x *= target / s);
            }
        }
        for (c, target) in cols.iter().enumerate() {
            let s: f64 = m.iter().map(|row| row[c]).sum();
            if s > 0.0 {
                m.iter_mut().for_each(|row| row[c] *= target / s);
            }
        }
    }
}

/// Each row divided by its sum (rows that sum to zero are left as they are).
fn normalize<const C: usize>(row: &[f64; C]) -> [f64; C] {
    let s: f64 = row.iter().sum();
    if s > 0.0 { row.map(|x| x / s) } else { *row }
}

/// `weight[o] * band_weight[b]`, scaled so that over the population the mean is `target`.
fn linear(
    cells: &[[f64; BANDS]; OCCUPATIONS],
    by_occupation: &[f64; OCCUPATIONS],
    by_band: &[f64; BANDS],
    target: f64,
) -> [[f64; BANDS]; OCCUPATIONS] {
    let mut out = [[0.0; BANDS]; OCCUPATIONS];
    let mut mean = 0.0;
    for o in 0..OCCUPATIONS {
        for b in 0..BANDS {
            out[o][b] = by_occupation[o] * by_band[b];
            mean += cells[o][b] * out[o][b];
        }
    }
    let k = if mean > 0.0 { target / mean } else { 0.0 };
    out.map(|row| row.map(|x| (x * k).min(1.0)))
}

impl Mix {
    /// Fits the mix to a tree whose branches hold `members[f]` members of flavour `f`.
    pub(crate) fn fit(members: &[f64; FLAVOURS]) -> Mix {
        let total: f64 = members.iter().sum::<f64>().max(1.0);
        let shares = members.map(|m| m / total);

        // Flavour × occupation: each branch keeps its character, the whole has the bulletin's occupations.
        let mut fo = FLAVOUR_OCCUPATION;
        for (f, row) in fo.iter_mut().enumerate() {
            row.iter_mut().for_each(|x| *x *= shares[f]);
        }
        rake(&mut fo, &shares, &OCCUPATION_SHARE);
        let occupation = fo.map(|row| normalize(&row));
        let occupation_share: [f64; OCCUPATIONS] = std::array::from_fn(|o| fo.iter().map(|row| row[o]).sum());

        // Occupation × age band.
        let mut ob = OCCUPATION_BAND;
        for (o, row) in ob.iter_mut().enumerate() {
            row.iter_mut().for_each(|x| *x *= occupation_share[o]);
        }
        rake(&mut ob, &occupation_share, &BAND_SHARE);
        let band = ob.map(|row| normalize(&row));

        // (Occupation, age band) × education, flattened to 64 rows for raking.
        let mut oe = [[0.0; EDUCATIONS]; OCCUPATIONS * BANDS];
        let mut cell_mass = [0.0; OCCUPATIONS * BANDS];
        for o in 0..OCCUPATIONS {
            for b in 0..BANDS {
                let i = o * BANDS + b;
                cell_mass[i] = ob[o][b];
                oe[i] = std::array::from_fn(|e| OCCUPATION_EDUCATION[o][e] * BAND_EDUCATION[b][e] * ob[o][b]);
            }
        }
        rake(&mut oe, &cell_mass, &EDUCATION_SHARE);
        let education = std::array::from_fn(|o| std::array::from_fn(|b| normalize(&oe[o * BANDS + b])));

        // Women: relative odds with one base, found by bisection so that the total is right.
        let mass = |f: usize, o: usize, b: usize| shares[f] * occupation[f][o] * band[o][b];
        let odds = |f: usize, o: usize, b: usize| WOMEN_BY_FLAVOUR[f] * WOMEN_BY_OCCUPATION[o] * WOMEN_BY_BAND[b];
        let share_at = |base: f64| {
            let mut s = 0.0;
            for f in 0..FLAVOURS {
                for o in 0..OCCUPATIONS {
                    for b in 0..BANDS {
                        let x = base * odds(f, o, b);
                        s += mass(f, o, b) * x / (1.0 + x);
                    }
                }
            }
            s
        };
        let (mut lo, mut hi) = (-12.0_f64, 12.0_f64);
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if share_at(mid.exp()) < WOMEN { lo = mid } else { hi = mid }
        }
        let base = ((lo + hi) / 2.0).exp();
        let woman = std::array::from_fn(|f| {
            std::array::from_fn(|o| {
                std::array::from_fn(|b| {
                    let x = base * odds(f, o, b);
                    x / (1.0 + x)
                })
            })
        });

        Mix {
            occupation,
            band,
            education,
            woman,
            probationary: linear(&ob, &PROBATIONARY_BY_OCCUPATION, &PROBATIONARY_BY_BAND, PROBATIONARY),
            floating: linear(&ob, &FLOATING_BY_OCCUPATION, &FLOATING_BY_BAND, FLOATING),
            hardship: linear(&ob, &HARDSHIP_BY_OCCUPATION, &HARDSHIP_BY_BAND, HARDSHIP),
        }
    }
}

/// The occupation at an index of `Occupation::ALL`.
pub(crate) fn occupation(i: usize) -> Occupation {
    Occupation::ALL[i]
}

pub(crate) fn education(i: usize) -> Education {
    Education::ALL[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fitted_mix_reproduces_the_bulletin_totals() {
        // A city-like spread of branch flavours.
        let members = [30.0, 18.0, 11.0, 7.0, 3.2, 3.5, 5.0, 15.0, 2.0, 2.5, 3.0];
        let mix = Mix::fit(&members);
        let total: f64 = members.iter().sum();
        let mut occ = [0.0; OCCUPATIONS];
        let mut bands = [0.0; BANDS];
        let mut edu = [0.0; EDUCATIONS];
        for (f, share) in members.iter().enumerate() {
            for (o, occupation) in occ.iter_mut().enumerate() {
                let m = share / total * mix.occupation[f][o];
                *occupation += m;
                for (b, band) in bands.iter_mut().enumerate() {
                    *band += m * mix.band[o][b];
                    for (e, level) in edu.iter_mut().enumerate() {
                        *level += m * mix.band[o][b] * mix.education[o][b][e];
                    }
                }
            }
        }
        let retired = occ[Occupation::Retired.index() as usize];
        assert!((retired - 0.203).abs() < 0.002, "{retired}");
        assert!((bands[7] - 0.29).abs() < 0.002, "{bands:?}");
        assert!((edu[0] + edu[1] + edu[2] - 0.56).abs() < 0.002, "{edu:?}");
        // Farmers stay in villages.
        assert!(mix.occupation[Flavour::Village as usize][1] > 0.6);
        assert_eq!(mix.occupation[Flavour::Hospital as usize][1], 0.0);
    }
}
