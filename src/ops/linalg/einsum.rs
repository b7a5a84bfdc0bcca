//! torch.einsum: any equation, with `...` broadcasting, contracted pairwise (left to right)
//! through batched matmul; repeated subscripts in one operand take a diagonal.

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Subscript ids: letters are 0..52, the dims an ellipsis covers are 52 + k.
const ELLIPSIS_BASE: usize = 52;

/// One side of the equation: the subscripts of an operand (or of the output).
#[derive(Debug, Clone)]
struct Term {
    letters: Vec<usize>,
    /// Position of the ellipsis among `letters`, if any.
    ellipsis: Option<usize>,
}

fn letter_id(c: u8, at: usize) -> Result<usize> {
    match c {
        b'A'..=b'Z' => Ok((c - b'A') as usize),
        b'a'..=b'z' => Ok((c - b'a') as usize + 26),
        _ => bail!("einsum(): invalid subscript given at index {at} in the equation string, subscripts must be in [a-zA-Z]"),
    }
}

fn letter_char(id: usize) -> char {
    if id < 26 { (b'A' + id as u8) as char } else { (b'a' + (id - 26) as u8) as char }
}

/// Parses one comma-separated term starting at byte `base` of the equation; `what` names
/// it in errors ("operand 0", "output").
fn parse_term(s: &str, base: usize, what: &str) -> Result<Term> {
    let bytes = s.as_bytes();
    let (mut letters, mut ellipsis, mut i) = (Vec::new(), None, 0);
    while i < bytes.len() {
        if bytes[i] == b'.' {
            if ellipsis.is_some() {
                bail!("einsum(): found '.' for {what} for which an ellipsis was already found");
            }
            if !s[i..].starts_with("...") {
                bail!("einsum(): found '.' for {what} that is not part of any ellipsis");
            }
            ellipsis = Some(letters.len());
            i += 3;
            continue;
        }
        letters.push(letter_id(bytes[i], base + i)?);
        i += 1;
    }
    Ok(Term { letters, ellipsis })
}

/// The operand's dims labelled: its letters, with the ellipsis expanded to ids counted
/// from the right (ELLIPSIS_BASE + 0 is the last dim the ellipsis covers), so that ellipsis
/// dims of different operands line up on the right and broadcast.
fn labels_of(term: &Term, ndim: usize, k: usize) -> Result<Vec<usize>> {
    let n = term.letters.len();
    match term.ellipsis {
        None if n != ndim => bail!(
            "einsum(): the number of subscripts in the equation ({n}) does not match the number of dimensions ({ndim}) for operand {k} and no ellipsis was given"
        ),
        None => Ok(term.letters.clone()),
        Some(_) if n > ndim => bail!(
            "einsum(): the number of subscripts in the equation ({n}) is more than the number of dimensions ({ndim}) for operand {k}"
        ),
        Some(pos) => {
            let e = ndim - n;
            let mut out = term.letters[..pos].to_vec();
            out.extend((0..e).rev().map(|j| ELLIPSIS_BASE + j));
            out.extend_from_slice(&term.letters[pos..]);
            Ok(out)
        }
    }
}

fn label_name(id: usize) -> String {
    if id < ELLIPSIS_BASE { letter_char(id).to_string() } else { "...".into() }
}

/// Takes the diagonal over each subscript repeated within one operand.
fn take_diagonals(mut t: Tensor, mut labels: Vec<usize>, k: usize) -> Result<(Tensor, Vec<usize>)> {
    loop {
        let repeat = (0..labels.len()).find_map(|i| (i + 1..labels.len()).find(|&j| labels[j] == labels[i]).map(|j| (i, j)));
        let Some((i, j)) = repeat else { return Ok((t, labels)) };
        let (a, b) = (t.shape()[i], t.shape()[j]);
        if a != b {
            bail!("einsum(): subscript {} is repeated for operand {k} but the sizes don't match, {b} != {a}", label_name(labels[i]));
        }
        let label = labels[i];
        t = t.diagonal(0, i as i64, j as i64)?;
        labels.remove(j);
        labels.remove(i);
        labels.push(label);
    }
}

/// Permutes `t` (labelled `labels`, all distinct) to the global label order, with size-1
/// dims for the labels it lacks.
fn align(t: &Tensor, labels: &[usize], order: &[usize]) -> Result<Tensor> {
    let perm: Vec<i64> = order.iter().filter_map(|l| labels.iter().position(|x| x == l)).map(|p| p as i64).collect();
    let mut out = t.permute(&perm)?;
    for (pos, l) in order.iter().enumerate() {
        if !labels.contains(l) {
            out = out.unsqueeze(pos as i64)?;
        }
    }
    Ok(out)
}

/// left * right summed over the dims in `sum` (all operands have the same rank; size-1 dims
/// broadcast), through one batched matmul: the dims both sides have become the batch, the
/// summed dims the inner dimension. Summed dims come back as size 1.
fn sum_product(left: &Tensor, right: &Tensor, sum: &[bool]) -> Result<Tensor> {
    let n = sum.len();
    let (mut pre_l, mut pre_r) = (Vec::new(), Vec::new());
    let (mut batch, mut lo, mut ro, mut contracted, mut ones) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (d, &summed) in sum.iter().enumerate() {
        let (l, r) = (left.shape()[d], right.shape()[d]);
        match (summed, l != 1, r != 1) {
            (true, true, true) => contracted.push(d),
            (true, true, false) => { pre_l.push(d as i64); ones.push(d) }
            (true, false, true) => { pre_r.push(d as i64); ones.push(d) }
            (false, true, true) => batch.push(d),
            (false, true, false) => lo.push(d),
            (false, false, true) => ro.push(d),
            (_, false, false) => ones.push(d),
        }
    }
    let left = if pre_l.is_empty() { left.clone() } else { left.sum_dims(Some(&pre_l), true, None)? };
    let right = if pre_r.is_empty() { right.clone() } else { right.sum_dims(Some(&pre_r), true, None)? };
    let size = |t: &Tensor, ds: &[usize]| ds.iter().map(|&d| t.shape()[d]).product::<usize>() as i64;
    let (lo_n, ro_n) = (size(&left, &lo), size(&right, &ro));
    if contracted.is_empty() {
        return left.mul(&right);
    }
    let sum_dims: Vec<i64> = contracted.iter().map(|&d| d as i64).collect();
    if lo_n == 1 && ro_n == 1 {
        // Batched dot products: no matrix to multiply.
        return left.mul(&right)?.sum_dims(Some(&sum_dims), true, None);
    }
    let b_n = size(&left, &batch);
    let s_n = size(&left, &contracted);
    let as_i64 = |ds: &[&Vec<usize>]| -> Vec<i64> { ds.iter().flat_map(|v| v.iter().map(|&d| d as i64)).collect() };
    let lm = left.permute(&as_i64(&[&batch, &lo, &contracted, &ro, &ones]))?.reshape(&[b_n, lo_n, s_n])?;
    let rm = right.permute(&as_i64(&[&batch, &contracted, &ro, &lo, &ones]))?.reshape(&[b_n, s_n, ro_n])?;
    let product = lm.matmul(&rm)?;
    // Back to rank n: (batch, lo, ro) sizes, then size 1 for the rest, in the global order.
    let order: Vec<usize> = batch.iter().chain(&lo).chain(&ro).chain(&contracted).chain(&ones).copied().collect();
    let shape: Vec<i64> = order.iter().map(|&d| {
        if batch.contains(&d) || lo.contains(&d) { left.shape()[d] as i64 } else if ro.contains(&d) { right.shape()[d] as i64 } else { 1 }
    }).collect();
    let mut inverse = vec![0i64; n];
    for (pos, &d) in order.iter().enumerate() {
        inverse[d] = pos as i64;
    }
    product.reshape(&shape)?.permute(&inverse)
}

/// torch.einsum(equation, *operands).
pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
    let eq: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
    let (lhs, rhs) = match eq.find("->") {
        Some(p) => (&eq[..p], Some(&eq[p + 2..])),
        None => (eq.as_str(), None),
    };
    if operands.is_empty() {
        return Err(Error::Value("einsum(): must specify the equation string and at least one operand".into()));
    }
    let mut terms = Vec::new();
    let mut base = 0;
    for (k, part) in lhs.split(',').enumerate() {
        terms.push(parse_term(part, base, &format!("operand {k}"))?);
        base += part.len() + 1;
    }
    if terms.len() < operands.len() {
        bail!("einsum(): more operands were provided than specified in the equation");
    }
    if terms.len() > operands.len() {
        bail!("einsum(): fewer operands were provided than specified in the equation");
    }
    let mut labelled = Vec::with_capacity(operands.len());
    let mut max_ell = 0;
    for (k, (t, term)) in operands.iter().zip(&terms).enumerate() {
        let labels = labels_of(term, t.ndim(), k)?;
        max_ell = max_ell.max(labels.iter().filter(|&&l| l >= ELLIPSIS_BASE).count());
        labelled.push(take_diagonals(t.clone(), labels, k)?);
    }
    let ellipsis_ids: Vec<usize> = (0..max_ell).rev().map(|j| ELLIPSIS_BASE + j).collect();
    let output: Vec<usize> = match rhs {
        Some(r) => {
            let term = parse_term(r, lhs.len() + 2, "output")?;
            let mut out = term.letters[..term.ellipsis.unwrap_or(term.letters.len())].to_vec();
            if term.ellipsis.is_some() {
                out.extend(&ellipsis_ids);
                out.extend(&term.letters[term.ellipsis.unwrap_or(0)..]);
            }
            for (i, &l) in out.iter().enumerate() {
                if l < ELLIPSIS_BASE && out[..i].contains(&l) {
                    bail!("einsum(): output subscript {} appears more than once in the output", letter_char(l));
                }
                if l < ELLIPSIS_BASE && !terms.iter().any(|t| t.letters.contains(&l)) {
                    bail!("einsum(): output subscript {} does not appear in the equation for any input operand", letter_char(l));
                }
            }
            out
        }
        None => {
            // Implicit output: the ellipsis dims, then each subscript used exactly once, sorted.
            let mut out = ellipsis_ids.clone();
            out.extend((0..ELLIPSIS_BASE).filter(|&l| terms.iter().map(|t| t.letters.iter().filter(|&&x| x == l).count()).sum::<usize>() == 1));
            out
        }
    };
    // The global order: output labels, then the summed ones by first appearance.
    let mut order = output.clone();
    for (_, labels) in &labelled {
        for &l in labels {
            if !order.contains(&l) {
                order.push(l);
            }
        }
    }
    check_sizes(&labelled)?;
    let aligned: Vec<Tensor> = labelled.iter().map(|(t, l)| align(t, l, &order)).collect::<Result<_>>()?;
    let summed = |pos: usize, from: usize| -> bool {
        // Label at `pos` is contracted once no operand from index `from` on uses it.
        pos >= output.len() && !labelled[from..].iter().any(|(_, l)| l.contains(&order[pos]))
    };
    let mut result = aligned[0].clone();
    for (i, next) in aligned.iter().enumerate().skip(1) {
        let mask: Vec<bool> = (0..order.len()).map(|p| summed(p, i + 1)).collect();
        result = sum_product(&result, next, &mask)?;
    }
    if aligned.len() == 1 {
        let dims: Vec<i64> = (output.len()..order.len()).map(|d| d as i64).collect();
        if !dims.is_empty() {
            result = result.sum_dims(Some(&dims), true, None)?;
        }
    }
    let out_shape: Vec<i64> = result.shape()[..output.len()].iter().map(|&d| d as i64).collect();
    result.reshape(&out_shape)
}

/// torch's error when a subscript's size differs (other than 1) from an earlier operand's.
fn check_sizes(labelled: &[(Tensor, Vec<usize>)]) -> Result<()> {
    let mut seen: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (k, (t, labels)) in labelled.iter().enumerate() {
        for (&l, &size) in labels.iter().zip(t.shape()) {
            match seen.get(&l) {
                Some(&prev) if prev != size && prev != 1 && size != 1 => {
                    let what = if l < ELLIPSIS_BASE { format!("subscript {}", letter_char(l)) } else { "ellipsis dimension".into() };
                    bail!("einsum(): {what} has size {size} for operand {k} which does not broadcast with previously seen size {prev}");
                }
                Some(&prev) if prev != 1 => {}
                _ => {
                    seen.insert(l, size);
                }
            }
        }
    }
    Ok(())
}
