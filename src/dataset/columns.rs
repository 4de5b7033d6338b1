//! The dataset's matrices stored by column: a column holding only whole numbers 0..=254 and NaN
//! (dummies, weekly indicators, counts of weeks, ages) takes one byte per person instead of
//! eight, and two matrices may share a column (a covariate that is also a descriptive variable is
//! stored once). Every value reads back with the exact bits it was stored with.

use ndarray::{Array2, ArrayView2};
use std::sync::Arc;

/// The byte code that stands for `f64::NAN`; codes below it stand for themselves.
const NAN_CODE: u8 = u8::MAX;

/// The values a byte column stands for, by code: 0.0, 1.0, …, 254.0, NaN.
static SMALL_VALUES: [f64; 256] = {
    let mut values = [f64::NAN; 256];
    let mut code = 0;
    while code < NAN_CODE as usize {
        values[code] = code as f64;
        code += 1;
    }
    values
};

/// One column: bytes while every value is a small whole number or NaN (exact bits), else numbers.
#[derive(Debug, Clone)]
enum Column {
    Small(Vec<u8>),
    Values(Vec<f64>),
}

/// The byte code of `v`, if it is exactly one of [`SMALL_VALUES`] (not −0.0, not another NaN).
fn small(v: f64) -> Option<u8> {
    let code = if v.is_nan() {
        NAN_CODE
    } else if (0.0..f64::from(NAN_CODE)).contains(&v) {
        v as u8
    } else {
        return None;
    };
    (SMALL_VALUES[usize::from(code)].to_bits() == v.to_bits()).then_some(code)
}

impl Column {
    fn get(&self, i: usize) -> &f64 {
        match self {
            Column::Small(f) => &SMALL_VALUES[usize::from(f[i])],
            Column::Values(v) => &v[i],
        }
    }

    /// Appends `values`, turning a byte column into numbers at the first value that needs it.
    fn extend(&mut self, values: impl Iterator<Item = f64>) {
        for v in values {
            match (&mut *self, small(v)) {
                (Column::Small(f), Some(code)) => f.push(code),
                (Column::Small(f), None) => {
                    let mut numbers: Vec<f64> =
                        f.iter().map(|&c| SMALL_VALUES[usize::from(c)]).collect();
                    numbers.push(v);
                    *self = Column::Values(numbers);
                }
                (Column::Values(n), _) => n.push(v),
            }
        }
    }
}

/// An n × k matrix of `f64` stored by column (see the module documentation), indexed as an
/// `ndarray::Array2<f64>` (`m[[i, j]]`).
#[derive(Debug, Clone, Default)]
pub struct Columns {
    nrows: usize,
    columns: Vec<Arc<Column>>,
}

impl Columns {
    /// An empty matrix (no rows) with `ncols` columns.
    pub fn new(ncols: usize) -> Columns {
        Columns {
            nrows: 0,
            columns: (0..ncols)
                .map(|_| Arc::new(Column::Small(Vec::new())))
                .collect(),
        }
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.columns.len()
    }

    /// Appends the rows of `block` (its width must be [`Columns::ncols`]).
    pub fn append(&mut self, block: ArrayView2<f64>) {
        assert_eq!(block.ncols(), self.ncols(), "block width");
        for (column, values) in self.columns.iter_mut().zip(block.columns()) {
            Arc::make_mut(column).extend(values.iter().copied());
        }
        self.nrows += block.nrows();
    }

    /// The columns `indices`, in that order, sharing their storage with `self`.
    pub fn pick(&self, indices: &[usize]) -> Columns {
        Columns {
            nrows: self.nrows,
            columns: indices
                .iter()
                .map(|&j| Arc::clone(&self.columns[j]))
                .collect(),
        }
    }

    /// Column `j` as numbers.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.nrows).map(|i| self[[i, j]]).collect()
    }

    /// The rows `rows` (all columns) as a dense matrix.
    pub fn rows(&self, rows: &[usize]) -> Array2<f64> {
        let all: Vec<usize> = (0..self.ncols()).collect();
        self.submatrix(rows, &all)
    }

    /// The rows `rows` of the columns `columns`, as a dense matrix.
    pub fn submatrix(&self, rows: &[usize], columns: &[usize]) -> Array2<f64> {
        Array2::from_shape_fn((rows.len(), columns.len()), |(r, c)| {
            self[[rows[r], columns[c]]]
        })
    }
}

impl std::ops::Index<[usize; 2]> for Columns {
    type Output = f64;

    fn index(&self, [i, j]: [usize; 2]) -> &f64 {
        assert!(i < self.nrows, "row {i} of {}", self.nrows);
        self.columns[j].get(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Axis, array};

    #[test]
    fn values_read_back_with_their_bits_and_columns_are_shared() {
        let computed_nan = f64::from_bits(f64::NAN.to_bits() ^ (1 << 63));
        let a = array![
            [0.0, -0.0, 1.0, 52.0, 254.0, 254.0],
            [f64::NAN, 0.5, computed_nan, 7.0, f64::NAN, 255.0]
        ];
        let mut m = Columns::new(6);
        m.append(a.row(0).insert_axis(Axis(0)));
        m.append(a.row(1).insert_axis(Axis(0)));
        assert_eq!((m.nrows(), m.ncols()), (2, 6));
        for i in 0..2 {
            for j in 0..6 {
                assert_eq!(m[[i, j]].to_bits(), a[[i, j]].to_bits(), "({i}, {j})");
            }
        }
        let small: Vec<bool> = m
            .columns
            .iter()
            .map(|c| matches!(**c, Column::Small(_)))
            .collect();
        assert_eq!(small, [true, false, false, true, true, false]);
        let picked = m.pick(&[2, 0]);
        assert!(Arc::ptr_eq(&picked.columns[1], &m.columns[0]));
        assert_eq!(picked.column(1)[0], 0.0);
        assert_eq!(m.rows(&[1]).shape(), &[1, 6]);
        assert_eq!(m.submatrix(&[1, 0], &[1]), array![[0.5], [-0.0]]);
    }
}
