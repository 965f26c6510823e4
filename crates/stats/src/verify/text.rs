//! Near-duplicate minutes among many records, without comparing every pair.
//!
//! 1. Each text becomes a set of character 4-grams (shingles) after dropping whitespace and
//!    punctuation: Chinese has no spaces, so words cannot be the unit, and four characters are
//!    about two words.
//! 2. Shingles found in at least [`COMMON_SHARE`] of the records (and in [`COMMON_MIN`] or more)
//!    are formulaic — "与会党员逐一发言", "会议由…主持" — and are dropped: every branch writes
//!    them, so sharing them says nothing. Document frequencies are counted on an evenly spread
//!    sample of 20,000 records, which estimates a 5% share within about 0.15 percentage points.
//! 3. Texts with fewer than [`MIN_SHINGLES`] shingles left are too short to judge.
//! 4. A MinHash signature of 60 values per text, by one-permutation hashing (one hash per
//!    shingle, its low bits choose a bin, the bin keeps its minimum; empty bins borrow the next
//!    bin's value), is cut into 20 bands of 3; texts agreeing on a whole band become
//!    candidates. With 20 bands of 3, a pair at Jaccard 0.7 becomes a candidate with probability
//!    1 − (1 − 0.7³)²⁰ > 0.9997, a pair at 0.3 with about 0.42, at 0.1 with 0.02.
//! 5. Candidates whose signatures roughly agree are confirmed by the exact Jaccard index of their
//!    shingle sets: at least [`THRESHOLD`].

use std::collections::{HashMap, HashSet};

/// Characters per shingle.
const SHINGLE: usize = 4;
/// A shingle in at least this share of the records is formulaic.
pub const COMMON_SHARE: f64 = 0.05;
/// …and in at least this many of them, so that in a small subtree a phrase shared by a handful of
/// records (such as a copied pair) is not mistaken for a formula.
pub const COMMON_MIN: u32 = 5;
/// Records sampled to count document frequencies.
const DF_SAMPLE: usize = 20_000;
/// Fewer shingles than this left after dropping the formulaic ones: too short to judge.
pub const MIN_SHINGLES: usize = 40;
/// MinHash values per text and their banding.
const BINS: usize = 60;
const BANDS: usize = 20;
const ROWS: usize = BINS / BANDS;
/// Jaccard index (of the non-formulaic shingles) at or above which two texts count as copies.
/// Each changed character removes up to four shingles from each side, so five changes among the
/// 100–150 specific shingles of a page of minutes bring a copy down to about 0.7–0.8; minutes
/// written separately by one branch share its members' names and places, and on the demo data
/// stay under 0.5 (BENCHMARKS.md).
pub const THRESHOLD: f64 = 0.7;
/// Records with one band in common beyond this many are paired only with their neighbours in the
/// bucket, so that a flood of identical texts stays linear.
const BUCKET_MAX: usize = 64;

/// A pair of texts (indexes into the input, the smaller first) and their Jaccard index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearDuplicate {
    pub a: usize,
    pub b: usize,
    pub jaccard: f64,
}

/// 64-bit mix (splitmix64's finaliser): spreads FNV's weak low bits, which choose the bin.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The distinct shingles of a text, hashed, sorted.
fn shingles(text: &str) -> Vec<u64> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out: Vec<u64> = chars
        .windows(SHINGLE)
        .map(|w| mix(w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| (h ^ u64::from(c)).wrapping_mul(0x100_0000_01b3))))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Formulaic shingles: frequent in an even sample of the texts.
fn common(texts: &[&str]) -> HashSet<u64> {
    let step = texts.len().div_ceil(DF_SAMPLE).max(1);
    let mut df: HashMap<u64, u32> = HashMap::new();
    let mut sampled = 0u32;
    for t in texts.iter().step_by(step) {
        sampled += 1;
        for s in shingles(t) {
            *df.entry(s).or_default() += 1;
        }
    }
    let cut = (f64::from(sampled) * COMMON_SHARE).ceil().max(f64::from(COMMON_MIN)) as u32;
    df.into_iter().filter(|&(_, n)| n >= cut).map(|(s, _)| s).collect()
}

/// The shingles of a text that are not formulaic, or `None` when too few are left.
fn judged(text: &str, common: &HashSet<u64>) -> Option<Vec<u64>> {
    let mut s = shingles(text);
    s.retain(|h| !common.contains(h));
    (s.len() >= MIN_SHINGLES).then_some(s)
}

/// One-permutation MinHash, densified by borrowing from the next non-empty bin.
fn signature(set: &[u64]) -> [u64; BINS] {
    let mut bins = [u64::MAX; BINS];
    for &h in set {
        let bin = (h % BINS as u64) as usize;
        bins[bin] = bins[bin].min(h / BINS as u64);
    }
    let mut filled = bins;
    for i in 0..BINS {
        if bins[i] == u64::MAX {
            // The set is not empty (MIN_SHINGLES), so some bin has a value.
            let from = (1..BINS).map(|k| (i + k) % BINS).find(|&j| bins[j] != u64::MAX).expect("a filled bin");
            filled[i] = bins[from].wrapping_add(i as u64);
        }
    }
    filled
}

/// Exact Jaccard index of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

/// A candidate whose signatures agree on less than this share of bins is not checked exactly:
/// with 60 bins the estimate's standard deviation is at most 0.065, so a pair at [`THRESHOLD`]
/// falls below this margin less than once in 40,000.
const ESTIMATE_MARGIN: f64 = 0.26;

/// Every pair of texts whose non-formulaic shingles overlap by [`THRESHOLD`] or more.
pub fn near_duplicates(texts: &[&str]) -> Vec<NearDuplicate> {
    let common = common(texts);
    // Signatures only (240 bytes a text): the shingle sets are recomputed for the few pairs left
    // after the estimate.
    let signatures: Vec<(usize, [u32; BINS])> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| judged(t, &common).map(|set| (i, signature(&set).map(|v| v as u32))))
        .collect();
    let estimate =
        |x: &[u32; BINS], y: &[u32; BINS]| x.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / BINS as f64;
    let mut candidates: HashSet<(usize, usize)> = HashSet::new();
    let mut band: Vec<(u64, usize)> = Vec::with_capacity(signatures.len());
    for b in 0..BANDS {
        band.clear();
        band.extend(signatures.iter().enumerate().map(|(n, (_, sig))| {
            (sig[b * ROWS..(b + 1) * ROWS].iter().fold(b as u64, |h, &v| mix(h ^ u64::from(v))), n)
        }));
        band.sort_unstable();
        for bucket in band.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1) {
            let mut consider = |x: usize, y: usize| {
                let ((i, sx), (j, sy)) = (&signatures[x], &signatures[y]);
                if estimate(sx, sy) >= THRESHOLD - ESTIMATE_MARGIN {
                    candidates.insert((*i.min(j), *i.max(j)));
                }
            };
            if bucket.len() > BUCKET_MAX {
                bucket.windows(2).for_each(|w| consider(w[0].1, w[1].1));
            } else {
                for (n, x) in bucket.iter().enumerate() {
                    bucket[n + 1..].iter().for_each(|y| consider(x.1, y.1));
                }
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = candidates.into_iter().collect();
    pairs.sort_unstable();
    let sets = |pairs: &[(usize, usize)]| similarities(texts, &common, pairs);
    pairs
        .iter()
        .zip(sets(&pairs))
        .filter_map(|(&(a, b), j)| j.filter(|&j| j >= THRESHOLD).map(|jaccard| NearDuplicate { a, b, jaccard }))
        .collect()
}

/// The exact Jaccard index of the non-formulaic shingles of each pair (`None` where a text is too
/// short to judge); pairs sorted by their first text reuse its set.
fn similarities(texts: &[&str], common: &HashSet<u64>, pairs: &[(usize, usize)]) -> Vec<Option<f64>> {
    let mut first: Option<(usize, Option<Vec<u64>>)> = None;
    pairs
        .iter()
        .map(|&(a, b)| {
            if first.as_ref().is_none_or(|f| f.0 != a) {
                first = Some((a, judged(texts[a], common)));
            }
            let x = first.as_ref().and_then(|f| f.1.as_ref())?;
            Some(jaccard(x, &judged(texts[b], common)?))
        })
        .collect()
}

/// How alike the texts of each pair are as [`near_duplicates`] measures them, with formulaic
/// shingles found among all `texts` (`None`: a text too short to judge) — to explain a pair not
/// flagged.
pub fn similarity(texts: &[&str], pairs: &[(usize, usize)]) -> Vec<Option<f64>> {
    similarities(texts, &common(texts), pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `len` characters of CJK distinct per seed: no two seeds share a shingle.
    fn own(seed: u32, len: u32) -> String {
        (0..len).map(|i| char::from_u32(0x4E00 + seed * len + i).unwrap()).collect()
    }

    fn text(seed: u32) -> String {
        own(seed, 120)
    }

    #[test]
    fn a_copy_with_a_few_characters_changed_is_found_and_different_texts_are_not() {
        let original = text(1);
        let mut copy: Vec<char> = original.chars().collect();
        copy[30] = '改';
        copy[90] = '动';
        let copy: String = copy.into_iter().collect();
        let texts = [original.as_str(), text(2).as_str(), &copy, text(3).as_str()].map(str::to_owned);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let found = near_duplicates(&refs);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].a, found[0].b), (0, 2));
        assert!(found[0].jaccard > 0.85 && found[0].jaccard < 1.0, "{}", found[0].jaccard);
    }

    #[test]
    fn punctuation_and_spaces_do_not_matter_and_short_texts_are_not_judged() {
        let a = text(4);
        let spaced: String = a.chars().flat_map(|c| [c, '，', ' ']).collect();
        let short = "与会党员逐一发言。";
        let texts = [a.as_str(), spaced.as_str(), short, short];
        let found = near_duplicates(&texts);
        assert_eq!(found.iter().map(|d| (d.a, d.b, d.jaccard)).collect::<Vec<_>>(), [(0, 1, 1.0)]);
    }

    #[test]
    fn phrases_every_record_shares_are_ignored() {
        // 200 records of one formula plus a short part of their own: the formula is dropped, what
        // is left differs, so none is a copy — though each pair shares most of its characters.
        let formula = "会议由支部书记主持与会党员逐一发言结合本职工作谈认识找差距提措施会议要求全体党员把学习成果转化为推动工作的实际行动";
        let texts: Vec<String> = (0..200).map(|i| format!("{formula}{}", own(i, 60))).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        assert!(near_duplicates(&refs).is_empty());
        assert_eq!(jaccard(&[1, 2, 3, 4], &[2, 3, 4, 5]), 0.6);
    }
}
