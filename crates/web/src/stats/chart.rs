//! Charts of a [`Grid`] as inline SVG made on the server: no script, no external asset, readable
//! on a phone. The SVG scales to its container (`viewBox`, `width="100%"`); text inherits the
//! page's font when the SVG is inline; every shape has a class (`bar`, `track`, `seg s0`…,
//! `label`, `value`) for the stylesheet to recolour, and a presentation-attribute fill as the
//! default, which any CSS rule overrides.

use super::grid::Grid;
use std::fmt::Write;

/// The coordinate width of every chart; the height follows the number of rows.
const WIDTH: f64 = 480.0;
/// Height of one row of bars, and of the bar in it.
const ROW: f64 = 28.0;
const BAR: f64 = 18.0;
const PAD: f64 = 8.0;
const FONT: f64 = 13.0;
/// The widest the label column may get; longer labels are cut with `…` (the `<desc>` has them whole).
const LABEL_MAX: f64 = WIDTH * 0.4;
const LABEL_MIN: f64 = 3.0 * FONT;
/// Room right of the bars for `1,234（56.7%）` or a row total.
const VALUE_ROOM: f64 = 100.0;
const STACK_VALUE_ROOM: f64 = 52.0;
const LEGEND_LINE: f64 = 20.0;
const SWATCH: f64 = 12.0;

/// Fills of the columns of a stacked chart, in column order (repeating after ten): dark enough
/// for white percentages inside, neighbours far apart in hue.
pub const PALETTE: [&str; 10] =
    ["#b71c1c", "#1565c0", "#2e7d32", "#bf360c", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#455a64", "#827717"];

const BAR_FILL: &str = "#b71c1c";
const TRACK_FILL: &str = "#f0f0f0";
const INK: &str = "#222";
const MUTED: &str = "#666";

/// A horizontal bar per row of a one-way grid: label, bar, count and share of the total. Bars
/// are scaled to the largest count, so it fills the width. For a two-way grid each bar is the
/// row's total.
pub fn bars(grid: &Grid) -> String {
    let counts: Vec<u64> = (0..grid.rows.len()).map(|i| grid.row_total(i)).collect();
    let total: u64 = counts.iter().sum();
    let max = counts.iter().copied().max().unwrap_or(0);
    let label_width = label_column(grid);
    let bar_x = label_width + PAD;
    let bar_room = WIDTH - bar_x - VALUE_ROOM;

    let desc: Vec<String> = grid
        .rows
        .iter()
        .zip(&counts)
        .map(|(row, &n)| format!("{} {n}（{}%）", row.label, fixed(percent(n, total))))
        .collect();
    let top = PAD;
    let mut svg = open(&grid.title, &desc.join("；"), top + rows_height(grid) + PAD);
    for (i, (row, &n)) in grid.rows.iter().zip(&counts).enumerate() {
        let y = top + ROW * i as f64;
        let width = scale(n, max, bar_room);
        label(&mut svg, label_width, y, &row.label);
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{}" y="{}" width="{}" height="{BAR}" rx="2" fill="{BAR_FILL}"/>"#,
            fixed(bar_x),
            fixed(y + (ROW - BAR) / 2.0),
            fixed(width),
        );
        let _ = write!(
            svg,
            r#"<text class="value" x="{}" y="{}" fill="{MUTED}">{n}（{}%）</text>"#,
            fixed(bar_x + width + 4.0),
            fixed(baseline(y)),
            fixed(percent(n, total)),
        );
    }
    no_data(&mut svg, grid, top);
    svg.push_str("</svg>");
    svg
}

/// A 100%-stacked horizontal bar per row of a two-way grid, one segment per column in the
/// [`PALETTE`] colour of that column, with a legend of the columns above and the row total to
/// the right. A row totalling zero shows only its empty track.
pub fn stacked(grid: &Grid) -> String {
    let label_width = label_column(grid);
    let bar_x = label_width + PAD;
    let bar_room = WIDTH - bar_x - STACK_VALUE_ROOM;

    let desc: Vec<String> = (0..grid.rows.len())
        .map(|i| {
            let total = grid.row_total(i);
            let parts: Vec<String> = (0..grid.columns.len())
                .map(|j| {
                    format!("{} {}（{}%）", grid.columns[j], grid.cell(i, j), fixed(percent(grid.cell(i, j), total)))
                })
                .collect();
            format!("{}：{}", grid.rows[i].label, parts.join("，"))
        })
        .collect();
    let (legend, legend_height) = legend(&grid.columns);
    let top = PAD + legend_height;
    let mut svg = open(&grid.title, &desc.join("；"), top + rows_height(grid) + PAD);
    svg.push_str(&legend);

    for (i, row) in grid.rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let bar_y = y + (ROW - BAR) / 2.0;
        let total = grid.row_total(i);
        label(&mut svg, label_width, y, &row.label);
        let _ = write!(
            svg,
            r#"<rect class="track" x="{}" y="{}" width="{}" height="{BAR}" fill="{TRACK_FILL}"/>"#,
            fixed(bar_x),
            fixed(bar_y),
            fixed(bar_room),
        );
        let mut x = bar_x;
        for (j, column) in grid.columns.iter().enumerate() {
            let n = grid.cell(i, j);
            let width = scale(n, total, bar_room);
            if width <= 0.0 {
                continue;
            }
            let share = percent(n, total);
            let _ = write!(
                svg,
                r#"<rect class="seg s{}" x="{}" y="{}" width="{}" height="{BAR}" fill="{}"><title>{}：{n}（{}%）</title></rect>"#,
                j % PALETTE.len(),
                fixed(x),
                fixed(bar_y),
                fixed(width),
                PALETTE[j % PALETTE.len()],
                escape(column),
                fixed(share),
            );
            // Only where it fits: a narrow segment keeps its number in the tooltip and the desc.
            if width >= 36.0 {
                let _ = write!(
                    svg,
                    r##"<text class="seg-label" x="{}" y="{}" text-anchor="middle" fill="#fff">{}%</text>"##,
                    fixed(x + width / 2.0),
                    fixed(baseline(y)),
                    share.round(),
                );
            }
            x += width;
        }
        let _ = write!(
            svg,
            r#"<text class="value" x="{}" y="{}" fill="{MUTED}">{total}</text>"#,
            fixed(bar_x + bar_room + 4.0),
            fixed(baseline(y)),
        );
    }
    no_data(&mut svg, grid, top);
    svg.push_str("</svg>");
    svg
}

/// The legend of the columns, wrapped to the chart's width, and its height.
fn legend(columns: &[String]) -> (String, f64) {
    let mut out = String::new();
    let (mut x, mut line) = (PAD, 0.0);
    for (j, column) in columns.iter().enumerate() {
        let item = SWATCH + 4.0 + text_width(column) + 14.0;
        if x > PAD && x + item > WIDTH - PAD {
            x = PAD;
            line += 1.0;
        }
        let y = PAD + line * LEGEND_LINE;
        let _ = write!(
            out,
            r#"<rect class="seg s{}" x="{}" y="{}" width="{SWATCH}" height="{SWATCH}" fill="{}"/><text class="legend" x="{}" y="{}" fill="{INK}">{}</text>"#,
            j % PALETTE.len(),
            fixed(x),
            fixed(y + (LEGEND_LINE - SWATCH) / 2.0 - 2.0),
            PALETTE[j % PALETTE.len()],
            fixed(x + SWATCH + 4.0),
            fixed(y + LEGEND_LINE / 2.0 + FONT * 0.35 - 2.0),
            escape(column),
        );
        x += item;
    }
    let height = if columns.is_empty() { 0.0 } else { (line + 1.0) * LEGEND_LINE + PAD };
    (out, height)
}

fn open(title: &str, desc: &str, height: f64) -> String {
    let title = escape(title);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {}" width="100%" role="img" aria-label="{title}" font-size="{FONT}"><title>{title}</title><desc>{}</desc>"#,
        fixed(height),
        escape(desc),
    )
}

fn label(svg: &mut String, label_width: f64, y: f64, text: &str) {
    let _ = write!(
        svg,
        r#"<text class="label" x="{}" y="{}" text-anchor="end" fill="{INK}">{}</text>"#,
        fixed(label_width),
        fixed(baseline(y)),
        escape(&cut(text, label_width - PAD)),
    );
}

/// An empty grid says so instead of being a blank box.
fn no_data(svg: &mut String, grid: &Grid, top: f64) {
    if grid.rows.is_empty() {
        let _ = write!(
            svg,
            r#"<text class="value" x="{}" y="{}" text-anchor="middle" fill="{MUTED}">暂无数据</text>"#,
            fixed(WIDTH / 2.0),
            fixed(baseline(top)),
        );
    }
}

/// Height of the rows; one row's worth for an empty grid, to hold 暂无数据.
fn rows_height(grid: &Grid) -> f64 {
    ROW * grid.rows.len().max(1) as f64
}

/// Where the label column ends: wide enough for the longest label, within bounds.
fn label_column(grid: &Grid) -> f64 {
    let widest = grid.rows.iter().map(|r| text_width(&r.label)).fold(0.0, f64::max);
    (widest + 2.0 * PAD).clamp(LABEL_MIN, LABEL_MAX)
}

/// The text baseline that centres a line of text vertically in the row starting at `y`
/// (computed rather than `dominant-baseline`, which some renderers ignore).
fn baseline(y: f64) -> f64 {
    y + ROW / 2.0 + FONT * 0.35
}

/// About how wide `s` renders: a CJK character is a full em, a Latin one a little over half.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { FONT * 0.6 } else { FONT }).sum()
}

/// `s`, shortened with `…` to fit `room`.
fn cut(s: &str, room: f64) -> String {
    if text_width(s) <= room {
        return s.to_owned();
    }
    let mut width = FONT;
    let mut out: String = s
        .chars()
        .take_while(|c| {
            width += text_width(c.encode_utf8(&mut [0; 4]));
            width <= room
        })
        .collect();
    out.push('…');
    out
}

/// `n` as a share of `total`, in percent; 0 for a zero total rather than NaN.
fn percent(n: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 }
}

/// `n`'s length on a scale where `max` is `room`; 0 for a zero `max` rather than NaN.
fn scale(n: u64, max: u64, room: f64) -> f64 {
    if max == 0 { 0.0 } else { n as f64 * room / max as f64 }
}

/// A coordinate or percentage with one decimal; never `NaN` or `inf` in the markup.
fn fixed(x: f64) -> String {
    if x.is_finite() { format!("{x:.1}") } else { "0".to_owned() }
}

/// `s` safe as XML text or attribute value: the five special characters escaped, and the
/// control characters XML 1.0 forbids dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::grid::tests::{one_way, two_way};
    use super::super::grid::{Grid, GridRow};
    use super::*;

    /// Checks that every tag is closed in order, that `<` and `&` appear only as markup, and that
    /// the document is one `<svg>` element; panics with the reason otherwise.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "one svg element: {svg}");
        let mut open: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            assert!(!text.contains('>'), "stray > in text {text:?}");
            for (k, _) in text.match_indices('&') {
                let entity = &text[k..text[k..].find(';').map_or(text.len(), |e| k + e + 1)];
                assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity), "bad entity {entity:?}");
            }
            let end = start + rest[start..].find('>').expect("tag closes");
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name), "closing {name}");
            } else if !tag.ends_with('/') {
                open.push(tag.split_whitespace().next().unwrap());
            }
            rest = &rest[end + 1..];
            if open.is_empty() {
                assert!(rest.is_empty(), "content after the root: {rest}");
            }
        }
        assert!(open.is_empty(), "unclosed {open:?}");
    }

    /// The `width` of every element with the given class, in order.
    fn widths(svg: &str, class: &str) -> Vec<f64> {
        svg.split(&format!(r#"class="{class}""#))
            .skip(1)
            .map(|s| s.split(r#"width=""#).nth(1).unwrap().split('"').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn escape_covers_the_five_xml_specials_and_drops_controls() {
        assert_eq!(escape(r#"<&>"'"#), "&lt;&amp;&gt;&quot;&apos;");
        assert_eq!(escape("a\u{0}b\nc"), "ab c");
        assert_eq!(escape("研究生"), "研究生");
    }

    #[test]
    fn bars_are_well_formed_accessible_and_responsive() {
        let svg = bars(&one_way());
        assert_well_formed(&svg);
        assert!(svg.contains(r#"width="100%""#) && svg.contains(r#"viewBox="0 0 480 "#));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title>学历</title>"));
        for label in ["研究生", "大学本科", "大专"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label} labelled");
        }
        assert!(svg.contains("20（57.1%）"), "count and share: {svg}");
    }

    #[test]
    fn bar_widths_are_proportional_to_counts() {
        let w = widths(&bars(&one_way()), "bar");
        // 10, 20, 5
        assert_eq!(w.len(), 3);
        assert!((w[1] - 2.0 * w[0]).abs() < 0.2 && (w[0] - 2.0 * w[2]).abs() < 0.2, "{w:?}");
        assert!(w[1] > 100.0, "the largest count fills the room: {w:?}");
    }

    #[test]
    fn labels_are_escaped_everywhere() {
        let mut g = one_way();
        g.title = "<学历>".to_owned();
        g.rows[0].label = r#"A&B "甲" 'x' <y>"#.to_owned();
        for svg in [bars(&g), stacked(&g)] {
            assert_well_formed(&svg);
            assert!(svg.contains("A&amp;B &quot;甲&quot; &apos;x&apos; &lt;y&gt;"), "{svg}");
            assert!(svg.contains("<title>&lt;学历&gt;</title>"));
            assert!(!svg.contains("<y>") && !svg.contains("<学历>"));
        }
    }

    #[test]
    fn zero_totals_give_empty_bars_not_nan() {
        let zero = Grid::one_way("学历", "", [("研究生".to_owned(), 0), ("大专".to_owned(), 0)]);
        let mut two = two_way();
        two.rows.push(GridRow::new("41至50岁", vec![0, 0]));
        for svg in [bars(&zero), stacked(&zero), stacked(&two), bars(&Grid::one_way("空", "", []))] {
            assert_well_formed(&svg);
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
        assert_eq!(widths(&bars(&zero), "bar"), [0.0, 0.0]);
        assert!(bars(&zero).contains("0（0.0%）"));
        assert!(bars(&Grid::one_way("空", "", [])).contains("暂无数据"));
    }

    #[test]
    fn stacked_segments_split_each_row_by_share() {
        let svg = stacked(&two_way());
        assert_well_formed(&svg);
        let track = widths(&svg, "track");
        let s0 = widths(&svg, "seg s0");
        let s1 = widths(&svg, "seg s1");
        // The legend swatches come first, then 3:1 and 5:7.
        assert_eq!((s0[0], s1[0]), (SWATCH, SWATCH));
        assert!((s0[1] - 0.75 * track[0]).abs() < 0.2 && (s1[1] - 0.25 * track[0]).abs() < 0.2, "{s0:?} {s1:?}");
        assert!((s0[2] * 7.0 - s1[2] * 5.0).abs() < 1.0, "{s0:?} {s1:?}");
        assert!((s0[2] + s1[2] - track[1]).abs() < 0.2, "a row fills its track");
        assert!(svg.contains("<title>男：3（75.0%）</title>"));
        assert!(svg.contains(r##"fill="#b71c1c""##) && svg.contains(r##"fill="#1565c0""##), "distinct fills");
        assert!(svg.contains(">男</text>") && svg.contains(">女</text>"), "legend");
    }

    #[test]
    fn stacked_legend_wraps_and_palette_repeats_past_ten_columns() {
        let columns: Vec<String> = (1..=12).map(|k| format!("第{k}类人员")).collect();
        let g = Grid { columns, rows: vec![GridRow::new("合计", vec![1; 12])], ..two_way() };
        let svg = stacked(&g);
        assert_well_formed(&svg);
        assert!(svg.contains(r#"class="seg s0""#) && svg.contains(r#"class="seg s9""#));
        assert!(!svg.contains(r#"class="seg s10""#));
        let legend_ys: std::collections::BTreeSet<&str> = svg
            .split(r#"class="legend""#)
            .skip(1)
            .map(|s| s.split(r#"y=""#).nth(1).unwrap().split('"').next().unwrap())
            .collect();
        assert!(legend_ys.len() > 1, "legend wraps onto several lines");
    }

    #[test]
    fn long_labels_are_cut_to_the_label_column() {
        let long = "中国共产党宁波市海曙区委员会组织部机关支部委员会";
        let g = Grid::one_way("组织", "", [(long.to_owned(), 3)]);
        let svg = bars(&g);
        assert!(svg.contains("…</text>"));
        assert!(svg.contains(&format!("<desc>{long} 3（100.0%）</desc>")), "whole in the desc");
    }
}
