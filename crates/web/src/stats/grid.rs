//! `Grid`: one statistical table of counts, the single shape that every export (xlsx, CSV) and
//! every chart takes, so a table is built once and rendered anywhere.

/// The label of the totals row and of the totals column.
pub const TOTAL: &str = "合计";

/// One statistical table: rows × columns of counts. A one-way table has a single column.
///
/// Every row is meant to hold exactly one cell per column; a missing cell counts as 0 (and extra
/// cells are ignored) so that a malformed row cannot make an export panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// `学历`, or `年龄 × 学历` for a two-way table.
    pub title: String,
    /// Header of the label column: `学历`, or `年龄＼学历`.
    pub corner: String,
    /// Column headers: `["人数"]`, or the education labels.
    pub columns: Vec<String>,
    pub rows: Vec<GridRow>,
    /// Printed under the title: `中共宁波市委组织部 · 截至2026-11-23 · 单位：人`.
    pub note: String,
}

/// One row of a [`Grid`]: its label and one count per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRow {
    pub label: String,
    pub cells: Vec<u64>,
}

impl GridRow {
    #[cfg(test)]
    pub fn new(label: impl Into<String>, cells: Vec<u64>) -> Self {
        GridRow { label: label.into(), cells }
    }
}

impl Grid {
    /// A one-way table: one `人数` column, one row per `(label, count)`.
    pub fn one_way(
        title: impl Into<String>,
        note: impl Into<String>,
        rows: impl IntoIterator<Item = (String, u64)>,
    ) -> Self {
        let title = title.into();
        Grid {
            corner: title.clone(),
            title,
            columns: vec!["人数".to_owned()],
            rows: rows.into_iter().map(|(label, n)| GridRow { label, cells: vec![n] }).collect(),
            note: note.into(),
        }
    }

    /// The count at row `i`, column `j`; 0 where the row has no such cell.
    pub fn cell(&self, i: usize, j: usize) -> u64 {
        self.rows.get(i).and_then(|r| r.cells.get(j)).copied().unwrap_or(0)
    }

    /// The sum of row `i` over all columns.
    pub fn row_total(&self, i: usize) -> u64 {
        (0..self.columns.len()).map(|j| self.cell(i, j)).sum()
    }

    /// The sum of column `j` over all rows.
    pub fn column_total(&self, j: usize) -> u64 {
        (0..self.rows.len()).map(|i| self.cell(i, j)).sum()
    }

    /// The sum of every cell.
    pub fn grand_total(&self) -> u64 {
        (0..self.rows.len()).map(|i| self.row_total(i)).sum()
    }

    /// Whether exports add a 合计 column: only a two-way table needs one, a one-way table's single
    /// column would just repeat itself.
    pub fn has_total_column(&self) -> bool {
        self.columns.len() > 1
    }

    /// The header line as exported: the corner, the columns and, for a two-way table, 合计.
    pub fn header_with_totals(&self) -> Vec<&str> {
        let mut header = Vec::with_capacity(self.columns.len() + 2);
        header.push(self.corner.as_str());
        header.extend(self.columns.iter().map(String::as_str));
        if self.has_total_column() {
            header.push(TOTAL);
        }
        header
    }

    /// The body as exported: every row (with its total for a two-way table), then the 合计 row.
    /// Each line has exactly as many counts as [`Grid::header_with_totals`] has columns after the
    /// corner, so writers need not know about totals.
    pub fn rows_with_totals(&self) -> Vec<(&str, Vec<u64>)> {
        let width = self.columns.len();
        let total_column = self.has_total_column();
        let line = |label, cells: Vec<u64>, total| {
            let mut cells = cells;
            if total_column {
                cells.push(total);
            }
            (label, cells)
        };
        let mut out = Vec::with_capacity(self.rows.len() + 1);
        for (i, row) in self.rows.iter().enumerate() {
            out.push(line(row.label.as_str(), (0..width).map(|j| self.cell(i, j)).collect(), self.row_total(i)));
        }
        out.push(line(TOTAL, (0..width).map(|j| self.column_total(j)).collect(), self.grand_total()));
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// 年龄 × 性别, small enough to check by hand.
    pub(crate) fn two_way() -> Grid {
        Grid {
            title: "年龄 × 性别".to_owned(),
            corner: "年龄＼性别".to_owned(),
            columns: vec!["男".to_owned(), "女".to_owned()],
            rows: vec![GridRow::new("30岁及以下", vec![3, 1]), GridRow::new("31至40岁", vec![5, 7])],
            note: "中共宁波市委组织部 · 截至2026-11-23 · 单位：人".to_owned(),
        }
    }

    pub(crate) fn one_way() -> Grid {
        Grid::one_way(
            "学历",
            "中共宁波市委组织部 · 截至2026-11-23 · 单位：人",
            [("研究生".to_owned(), 10), ("大学本科".to_owned(), 20), ("大专".to_owned(), 5)],
        )
    }

    #[test]
    fn totals_add_up_rows_columns_and_all() {
        let g = two_way();
        assert_eq!((g.row_total(0), g.row_total(1)), (4, 12));
        assert_eq!((g.column_total(0), g.column_total(1)), (8, 8));
        assert_eq!(g.grand_total(), 16);
    }

    #[test]
    fn two_way_export_shape_has_a_total_column_and_row() {
        let g = two_way();
        assert_eq!(g.header_with_totals(), ["年龄＼性别", "男", "女", "合计"]);
        assert_eq!(
            g.rows_with_totals(),
            [("30岁及以下", vec![3, 1, 4]), ("31至40岁", vec![5, 7, 12]), ("合计", vec![8, 8, 16])]
        );
    }

    #[test]
    fn one_way_export_shape_has_only_a_total_row() {
        let g = one_way();
        assert_eq!(g.header_with_totals(), ["学历", "人数"]);
        assert_eq!(g.rows_with_totals().last(), Some(&("合计", vec![35])));
        assert_eq!(g.rows_with_totals().len(), 4);
    }

    #[test]
    fn a_short_row_counts_its_missing_cells_as_zero() {
        let mut g = two_way();
        g.rows[0].cells = vec![3];
        assert_eq!(g.cell(0, 1), 0);
        assert_eq!(g.rows_with_totals()[0], ("30岁及以下", vec![3, 0, 3]));
        assert_eq!(g.grand_total(), 15);
    }

    #[test]
    fn an_empty_grid_totals_zero() {
        let g = Grid::one_way("学历", "", []);
        assert_eq!(g.grand_total(), 0);
        assert_eq!(g.rows_with_totals(), [("合计", vec![0])]);
    }
}
