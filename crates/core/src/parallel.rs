//! Work split over the machine's cores in contiguous shares, results kept in input order.
//!
//! Reading guides is the one job triage does in bulk on the command line before anything
//! concurrent starts; [`in_shares`] cuts the list into as many contiguous pieces as there are
//! cores (at most [`MAX_THREADS`]), each of about equal weight, so joining the pieces'
//! results in order gives exactly what one pass in order would have.

/// The most threads [`in_shares`] starts.
pub const MAX_THREADS: usize = 4;

/// Runs `work` over contiguous shares of `items` of about equal total `weight`, one thread
/// per share, and returns each share's result in order. Small inputs (under `min_weight` in
/// all, or a single item) run as one share on the calling thread.
///
/// A panic in `work` is resumed on the calling thread.
pub fn in_shares<T, R, W, F>(items: &[T], weight: W, min_weight: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> usize,
    F: Fn(&[T]) -> R + Sync,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS);
    let total: usize = items.iter().map(&weight).sum();
    if threads < 2 || items.len() < 2 || total < min_weight {
        return vec![work(items)];
    }
    let shares = cut(items, &weight, threads.min(items.len()));
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> =
            shares.into_iter().map(|share| scope.spawn(move || work(share))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// `items` cut into `parts` contiguous, non-empty shares of about equal weight.
fn cut<'a, T>(items: &'a [T], weight: &impl Fn(&T) -> usize, parts: usize) -> Vec<&'a [T]> {
    let mut shares = Vec::with_capacity(parts);
    let mut rest = items;
    for left in (1..=parts).rev() {
        if left == 1 {
            shares.push(rest);
            break;
        }
        let target = rest.iter().map(weight).sum::<usize>() / left;
        let mut size = 0;
        let mut at = 0;
        // Take at least one item, and leave at least one for each later share.
        while at < rest.len() - (left - 1) && (at == 0 || size < target) {
            size += weight(&rest[at]);
            at += 1;
        }
        let (share, tail) = rest.split_at(at);
        shares.push(share);
        rest = tail;
    }
    shares
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn shares_cover_the_input_in_order(
            weights in proptest::collection::vec(0usize..1000, 1..50),
            parts in 1usize..6,
        ) {
            let parts = parts.min(weights.len());
            let shares = cut(&weights, &|w| *w, parts);
            prop_assert_eq!(shares.len(), parts);
            prop_assert!(shares.iter().all(|s| !s.is_empty()));
            let joined: Vec<usize> = shares.concat();
            prop_assert_eq!(joined, weights);
        }
    }

    #[test]
    fn results_come_back_in_input_order() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled: Vec<u32> =
            in_shares(&items, |_| 100, 0, |share| share.iter().map(|i| i * 2).collect::<Vec<_>>())
                .concat();
        assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn small_inputs_stay_on_one_share() {
        let items = [1, 2, 3];
        assert_eq!(in_shares(&items, |_| 1, 100, <[i32]>::len), [3]);
    }
}
