//! Percent agreement and Cohen's kappa from a 2×2 table of units, and the pooled
//! kappa over several codes (de Vries et al. 2008).

use serde::Serialize;

/// How two reviewers' units fall for one code.
///
/// ```text
///                    second: coded   second: not
///   first: coded          both          first_only
///   first: not        second_only        neither
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Table2 {
    pub both: u64,
    pub first_only: u64,
    pub second_only: u64,
    pub neither: u64,
}

impl Table2 {
    pub fn n(&self) -> u64 {
        self.both + self.first_only + self.second_only + self.neither
    }

    pub fn first(&self) -> u64 {
        self.both + self.first_only
    }

    pub fn second(&self) -> u64 {
        self.both + self.second_only
    }

    pub fn add(&mut self, o: &Table2) {
        self.both += o.both;
        self.first_only += o.first_only;
        self.second_only += o.second_only;
        self.neither += o.neither;
    }

    /// Observed agreement: (both + neither) / n. `None` with no units.
    pub fn po(&self) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| (self.both + self.neither) as f64 / n as f64)
    }

    /// Agreement expected by chance from the two reviewers' marginals:
    /// (first/n)(second/n) + (1 − first/n)(1 − second/n).
    pub fn pe(&self) -> Option<f64> {
        let n = self.n();
        if n == 0 {
            return None;
        }
        let n = n as f64;
        let p1 = self.first() as f64 / n;
        let p2 = self.second() as f64 / n;
        Some(p1 * p2 + (1.0 - p1) * (1.0 - p2))
    }

    /// Cohen's kappa: (po − pe) / (1 − pe). `None` when undefined (pe = 1: both
    /// reviewers coded every unit, or neither coded any).
    pub fn kappa(&self) -> Option<f64> {
        kappa(self.po()?, self.pe()?)
    }
}

/// (po − pe) / (1 − pe), `None` when pe is (within rounding of) 1.
pub fn kappa(po: f64, pe: f64) -> Option<f64> {
    (1.0 - pe > 1e-12).then(|| (po - pe) / (1.0 - pe))
}

/// The pooled kappa of several codes over the same units: (mean po − mean pe) /
/// (1 − mean pe); `None` for no codes or when undefined.
pub fn pooled(tables: &[Table2]) -> Option<f64> {
    let (po, pe) = mean_po_pe(tables)?;
    kappa(po, pe)
}

/// Mean observed and mean chance agreement over codes.
pub fn mean_po_pe(tables: &[Table2]) -> Option<(f64, f64)> {
    let pairs: Vec<(f64, f64)> = tables
        .iter()
        .filter_map(|t| Some((t.po()?, t.pe()?)))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let k = pairs.len() as f64;
    Some((
        pairs.iter().map(|p| p.0).sum::<f64>() / k,
        pairs.iter().map(|p| p.1).sum::<f64>() / k,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_kappa() {
        // 50 units: 20 both, 5 first only, 10 second only, 15 neither.
        // po = 35/50 = 0.7; p1 = 25/50, p2 = 30/50; pe = 0.5·0.6 + 0.5·0.4 = 0.5;
        // kappa = (0.7 − 0.5)/(1 − 0.5) = 0.4.
        let t = Table2 {
            both: 20,
            first_only: 5,
            second_only: 10,
            neither: 15,
        };
        assert!((t.po().unwrap() - 0.7).abs() < 1e-12);
        assert!((t.kappa().unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(Table2::default().kappa(), None);
        let all = Table2 {
            both: 7,
            ..Table2::default()
        };
        assert_eq!(all.kappa(), None, "pe = 1");
    }
}
