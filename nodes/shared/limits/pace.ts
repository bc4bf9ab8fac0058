/**
 * How fast one process sends on one key and model: the pace, and what moves it. The queue
 * that applies it is rateLimiter.ts; this module only reads answers and decides, so it can be
 * tested on its own with a clock of numbers (and is, in the pacing simulator).
 *
 * The per-minute limits come from `x-ratelimit-limit-*`. The target is 96% of them, held in
 * every second, because OpenAI enforces its limits over short windows too ("rate limits can
 * be applied over shorter periods, for example 1 request per second for a 60 RPM limit",
 * OpenAI help centre, "How can I solve 429 errors"). A refused request counts against the
 * limit too ("unsuccessful requests contribute to your per-minute limit", same article), so
 * senders that together go just past the limit can keep a short window full and get almost
 * nothing through: all senders together must stay under it, and going past it must be rare.
 *
 * Other processes on the key (other n8n instances, queue-mode workers) share nothing with this
 * one but the server. What its headers say is read only as far as its meaning has been checked
 * against this process's own traffic:
 * - **A short-window count** (`remaining` falls by about limit/60 for each request of the last
 *   second, as a gateway reporting its per-second window in OpenAI's names would say):
 *   confirmed when, answer after answer, the count is at least what this process itself sent
 *   in the last second. The part that is not this process's is someone else's: the pace yields
 *   before any 429 while others spend, and recovers at once when the count shows no one else.
 *   Two senders that each keep to half the window fill it exactly, so where the others leave
 *   room for half of it, only a count above the limit makes it yield.
 *   While others spend but all together leave room (some left), each follows the count up in
 *   proportion to what it sends; when most of this process's latest requests were refused,
 *   the pace drops to what got through. Beside three senders or more (the others take at least
 *   twice its share), the count says whether this process takes more than the others' mean: that
 *   one yields faster, the others slower, so that unequal shares even out (LARGER_SHARE_SMOOTH).
 * - **A bucket** (OpenAI's documented meaning, rate-limits guide: one request takes 1 off
 *   `remaining`, and `reset` is "the time until the rate limit resets to its initial state",
 *   so it refills at limit/60 a second). Found when `remaining` hardly counts this process's
 *   own last second. A bucket falling below full (all senders take more than it refills, as
 *   when a second process starts at full speed) gives their demand by its slope; the share of
 *   answers that find it below full is the share of the time it is, which is all senders'
 *   share of the limit (an answer tends to see this process's own next request, so the share
 *   counted is what is below full beyond this process's own requests not yet refilled, as they
 *   were a round trip ago: the road to the server and back, measured by its 429s, plus its
 *   own known share; with fewer than three senders and headers written as the answer leaves,
 *   only the answers that came while its own requests alone would have left the bucket full
 *   count, since its requests queued behind others' keep it below full longer: bucketLoad).
 *   Where its answers come at random moments of its own sending (their latencies spread more
 *   than its requests are apart: at high limits), the plain share of them that found the bucket
 *   below full is all senders' load, its own included (answersAtRandom), with fewer than three
 *   senders. The pace follows either, so that together they take the target,
 *   each in proportion to what it sends; when the bucket is below full nearly always, the
 *   pace holds. A bucket found full at nearly every answer for seconds, but for this
 *   process's own requests, says nobody else takes much (the others left): the pace comes
 *   back fast. When neither says anything, the 429s do (below).
 *   Headers written as the request was let in (OpenAI's example reads so, and a gateway that
 *   decides before the model runs would send them so) count the answer's own request: the
 *   bucket never reads full, and `reset` is never less than that one request's refill. Read so
 *   (Unit.admitted: ten answers near full, none full and none with a shorter `reset`), others
 *   are what is below what this process's own requests left as that request came in, this one
 *   included. But an answer then sees the bucket only as its own requests arrive, and a sender
 *   at about its rate can stay out of sight, its requests always refilled by then. So the load
 *   is read so only up to 40% of the limit its own (the others then fill most of the time:
 *   readAdmitted), and the bucket reads idle so only after the process, held below 90% of its
 *   pace, has shifted its phase (delayed its next request) and still saw nobody: once by half
 *   its spacing up to 40%, three times by a third above (shiftPhase).
 * - **No headers** (vLLM, Ollama, many proxies): only 429s tell, and each tells exactly what the
 *   server let through. The refused request arrived in a one-second window that already held the
 *   limit, so this process's requests of the second before it (and 50 ms more: the server counts
 *   a request as it arrives) that were not refused are what it may send a second: all of the
 *   limit when alone, its share when not (byRefusals). It aims at 98% of that (an exact count:
 *   the margin is only for uneven arrival), and at 96% for 20 s after a 429 outside a probe
 *   shows its requests arrive bunched (such a 429 takes the rate down by at most a quarter:
 *   UNPROBED_KEEPS, and a process alone at its peak goes back to it 1.5 s later unless another
 *   such 429 says a newcomer came: undoCut); and a request waits until the process's own last
 *   second holds fewer than that rate (windowFreeAt: a timer that fired late, followed by one on
 *   the grid, would put one more into a window), and after a 429 one fewer for a second at five
 *   a second or more, to leave the full window a gap (heldAfterRefusal). Before the first 429
 *   the rate starts slow and doubles every half second, so the first 429 costs one or two
 *   refusals, not a burst. After a while without a 429 the rate is probed upwards (doubling
 *   every 2 s until a 429 says where the room ends): while it sends a share (below the most it
 *   ever had, or one of a crowd: its first 429 came with only three of its requests in the
 *   second, so others filled the window; the others may leave), after 3 s and up to 6 s more at
 *   random, so that senders which met the limit together do not probe together; else after
 *   10 s, and after each probe that found no room twice as long, up to 20 s (a process alone
 *   pays one 429 per probe).
 *
 * Two senders fit a one-second window only while each keeps to half of it (a sender at r a
 * second puts up to ⌈r⌉ requests in some window): while the headers show others taking a good
 * share of the limit, a rate just above half the window is held just under half of it; and on a
 * bucket that reads saturated (two senders' requests overlap in it and keep it below full at
 * nearly every answer, though together they take less than the target), a process whose others
 * read as one sender about its size climbs slowly to half of it, never past (climbToHalf). Three or
 * more, on a bucket or a short-window count, after a 429 lately: each holds just under a whole
 * number of requests a second, so that windows that add up as their rates do fit under the
 * limit (fitWindow), and a request waits until its own last second holds fewer than that number (windowLimit). Held at
 * such an exact count, the margin is only for the road: requests that leave evenly spaced
 * arrive as unevenly as the road's delay varies, so the share held is 96% of the count, or up to
 * 98% when the round trips of this process's own 429s (answered at once) vary little
 * (heldShare). With headers written as the answer leaves, their pace then follows the load up
 * twice as fast, so that when one of them finishes the others take its room within seconds.
 *
 * With headers, a 429 that shows all senders past the limit (three in a row, or a quarter of this process's
 * answers of the last 1.5 s; five in a row for a process that sends alone as far as it can
 * tell) drops the pace (by 15%, or to what got through when most was refused; at most once a
 * second; on a bucket that shows the others' load, by 20% for a process taking more than the
 * others and 8% for one taking less, so that unequal shares even out) and pauses every
 * request waiting here for the server's hint, at least 300 ms. The pace then comes back to
 * just under where the limit was met and probes past it slowly, the faster the longer no 429
 * came (the others may have left). A process alone that slowed down
 * on 429s which went on all the same was meeting an overloaded server, not the limit: its pace
 * goes back, and such 429s are ignored for a while. A lone 429 is only its item's: it backs
 * off, nothing else changes; but scattered ones (3 of the last 40 answers) for a process alone
 * on a bucket say its requests reach the server bunched (the network, a busy event loop): the
 * pace gives 3%, on the same probation.
 */
import type { RateLimitSnapshot } from '../http/headers';

/** Fraction of the server's limit aimed for. */
export const TARGET_UTILISATION = 0.96;
export const MIN_PACE = 0.1;
/** Multiplicative decrease on a 429 that shows contention... */
const DECREASE = 0.85;
/** ...down to this when nearly every recent answer was a 429. */
const HARDEST_DECREASE = 0.5;
/** The same, gentler, when a short-window count already shows the others... */
const SHARED_DECREASE = 0.92;
/**
 * ...and on a bucket that shows the others' load: a process taking more than the others gives
 * more, one taking less gives less, so unequal shares converge (with additive increase and
 * multiplicative decrease the larger share loses more in absolute terms; here it also loses
 * more in proportion).
 */
const LARGER_SHARE_DECREASE = 0.8;
const SMALLER_SHARE_DECREASE = 0.92;
/**
 * "More than the others" for that choice, once a bucket has shown three senders or more
 * (MANY_OTHERS) within this long: more than half of what the others take together, which is
 * more than the others' mean, since their share is split among two or more. Beside three
 * others, a process that took the room one had left can hold half the limit for the rest of
 * the run while it reads less than the other three's sum; the others read the bucket
 * saturated and hold, and the split ends with one finishing early and the rest late. A found
 * idle bucket (the others left) forgets it.
 */
const CROWD_MEMORY_MS = 30_000;
/** At most one decrease per this long: one congestion event gives several signals. */
const DECREASE_GUARD_MS = 1_000;
/** Additive increase per second while others may be sending. */
const INCREASE_PER_SECOND = 0.001;
/** Without a short-window count: after a decrease, the pace returns to this share of where the limit was met... */
const BACK_TO = 0.97;
/** ...closing this share of the gap per second; past it, it grows by INCREASE_PER_SECOND... */
const RETURN_PER_SECOND = 0.5;
/** ...which doubles with every this long without a sign of others... */
const QUIET_DOUBLING_MS = 5_000;
/** ...up to this (and, with a short-window count showing no one else, at once). */
const RECOVERY_PER_SECOND = 0.1;
/** No sign of anyone else for this long means quiet. */
const QUIET_MS = 5_000;
/** A short-window count that shows nobody else for this long also means quiet. */
const ALONE_MS = 1_000;
/** Others spend when, on average, this share of the per-second budget is not ours. */
const OTHERS_SHARE = 0.05;
/** The averages of the short-window count follow it over about this long. */
const SMOOTHING_MS = 1_000;
/**
 * While others spend and the count is above this share of the budget, the pace falls... (Not
 * where the others leave this process room for half the window, byShortWindow: there only a
 * count above the limit.)
 */
const CROWDED = 0.99;
/** ...this fast. */
const SMOOTH_DECREASE_PER_SECOND = 0.1;
/**
 * ...times these beside three senders or more (MANY_OTHERS, within CROWD_MEMORY_MS): for a process
 * taking more than half of what the others take together (more than their mean), and for one
 * taking less. As with a 429 on a bucket (LARGER_SHARE_DECREASE), unequal shares even out: with
 * the same speed for all, a count that falls and follows up in proportion kept any split, and the
 * smallest of four, brought down to 2 and then 1 a second by 429s, finished 26 s after the largest
 * in the simulator (README, benchmark "2026-12-07, night").
 */
const LARGER_SHARE_SMOOTH = 2;
const SMALLER_SHARE_SMOOTH = 0.5;
/**
 * And where the count leaves room (ROOM), such a smaller process follows it up as if it sent the
 * others' share split this many ways (their mean beside three others; less beside two), so that
 * when one finishes, the room is not shared in proportion to a split the start left: in real
 * n8n, one of four, held at 1 a second, was still there 20 s after the largest finished, while
 * the two others took its room within 5-8 s; it finished alone, 12 s after them.
 */
const CROWD_MEAN_OF = 3;
/** While others spend and the count is below this share of the target, there is room: the pace follows it up. */
const ROOM = 0.9;
/** How long after its first answer a process still counts as arriving. */
const NEWCOMER_MS = 1_000;
/** An arriving process's answer shows others spending from this share of the budget... */
const NEWCOMER_OTHERS = 0.15;
/** ...and then it starts at what they leave, but at least this pace. */
const NEWCOMER_PACE = 0.25;
/** Longest a pause after a 429 lasts, whatever the server's hint. */
const MAX_PAUSE_MS = 60_000;
/** Shortest pause when 429s come in a row: a short window needs a second to empty. */
const WINDOW_PAUSE_MS = 300;
/** How long before its release an answer's headers may have been counted. */
const ANSWER_SLACK_MS = 50;
/** Answers remembered. */
const RECENT = 40;
/** Below this share of the per-second budget, this process's own requests cannot explain a spent short window. */
const OWN_SHARE_FOR_CONTENTION = 0.85;
/** When this share of recent answers are budget-spent 429s, others spend too, whatever the local view says. */
const SPENT_SHARE_FOR_CONTENTION = 0.4;
/** After a decrease on 429s in a row, how long until it is judged whether they stopped... */
const PROBATION_MS = 3_000;
/** ...they did not when this share of the answers since (after the pause) were still 429s... */
const NOISE_SHARE = 0.15;
/** ...and then 429s in a row are ignored this long (an overloaded server, not the limit). */
const NOISE_MS = 30_000;
/** Or this share of the answers of the last REFUSED_SPAN_MS refused: a window that stays full for everyone. */
const REFUSED_SHARE = 0.25;
const REFUSED_SPAN_MS = 1_500;
/** 429s in a row that show a window refusing everything... */
const RUN = 3;
/** ...and when sending alone: the bucket's load is (nearly all) this process's own, or, when it cannot tell, the pace is at least ALONE_PACE. */
const RUN_ALONE = 5;
const ALONE_OTHERS = 0.25;
const ALONE_PACE = 0.99;
/**
 * A process alone whose last RECENT answers hold this many scattered 429s (a full bucket, not in
 * a row) sends too evenly for the road between it and the server: requests that leave evenly
 * spaced arrive bunched by the network's and the event loop's jitter, so a short window can
 * count one too many. The pace then gives a little...
 */
const SCATTERED = 3;
/** ...this much, at most once a second, on probation like a run of 429s. */
const SCATTERED_DECREASE = 0.97;

/** Evidence that `remaining` is a short-window count: clamped to ±this. */
const EVIDENCE_CAP = 10;
/** From this much evidence on, `remaining` is read as a short-window count. */
const WINDOW_EVIDENCE = 3;
/** The count against what this process sent in the last second (scaled to the minute): at least this means "it counts my last second". */
const SHOWS_OWN = 0.7;
/** At most this means "it does not" (a bucket, refilled). */
const SHOWS_LITTLE = 0.3;
/** A bucket within this share of the per-second budget of full counts as full (refill and rounding). */
const BUCKET_FULL_MARGIN = 0.25;
/** The bucket's slope is measured over samples of the last this long... */
const SLOPE_SPAN_MS = 2_500;
/** ...that cover at least this long. */
const SLOPE_MIN_MS = 1_000;
/** How fast the pace follows the bucket's measure of everyone's demand (per second)... */
const FOLLOW_PER_SECOND = 0.3;
/** ...rising by at most this much at a time. */
const MAX_FOLLOW_UP = 0.05;
/**
 * Three senders or more (MANY_OTHERS), on a bucket whose headers are written as the answer
 * leaves (Unit.sawFull): the pace follows the load up twice as fast, by twice as much at a time.
 * Held at whole numbers, a process's rate moves only when its pace crosses the next one (at RPM
 * 600 and two a second, a tenth of the limit), and when one of them finishes the others must
 * take its room within seconds. It goes with the window rule (windowLimit): alone, neither
 * helped. Not with headers written at admission, where the load reads a process's own requests
 * as others' use: a faster follow-up on that reading let one process take a large share and
 * another starve (README, benchmark "2026-12-06").
 */
const MANY_FOLLOW_PER_SECOND = 0.6;
const MANY_MAX_FOLLOW_UP = 0.1;
/** A bucket below full at no more than this share of the answers is idle: nobody else takes much. */
const IDLE_SHARE = 0.05;
/** ...judged from at least this many answers (a process at a small share has few). */
const IDLE_MIN_SAMPLES = 8;
/** The share of time a bucket is below full is measured over this long... */
const LOAD_SPAN_MS = 5_000;
/** ...from at least this many answers (a process at a fifth of the limit has ten in 5 s)... */
const LOAD_MIN_SAMPLES = 8;
/** ...and from this share on, the bucket is saturated: the senders take the limit or more, how much more it cannot say. */
const SATURATED = 0.985;
/** An answer counts once its own request is older than this many times its refill time. */
const REFILLED = 1.5;
/**
 * Headers written at admission (Unit.admitted): read so after this many answers near full (at
 * most two below, and past their own request's refill) of which none found the bucket full, nor
 * held less than their own request by `reset`: under this share of one request's refill time.
 * Counted only near full: a bucket drained by all senders (four starting together) shows no
 * answer less than its own request either way.
 */
const ADMISSION_AFTER = 10;
const RESET_SHOWS_OWN = 0.9;
/**
 * Read at admission, others show only when their requests are in the bucket as this process's
 * own arrive: two senders at the same rate on fixed grids can keep out of each other's sight
 * (phase-locked). Up to this own share of the limit, the others (the rest of it) fill most of
 * the time and the load is read so (readAdmitted); above it, as of the answer.
 */
const ADMITTED_OWN_UP_TO = 0.4;
/**
 * Above ADMITTED_OWN_UP_TO, the shifts of its phase, as shares of its spacing, that must each
 * leave the others out of sight before the bucket reads idle at admission (shiftPhase). Another's request shows only when it
 * came less than a refill before this process's own, which at RPM 600 is 100 ms of the 200
 * between two of its requests at 5 a second: the blind part is half the spacing. One shift of a
 * half could land at its other edge, and on the simulator did (a process at 5.0 a second beside
 * one at 4.9 read idle after shifts of a half and three quarters, and both met a full window).
 * Seen at three phases a third of its spacing apart, and at the first once more, a sender at about
 * its rate is in sight at one of them at least.
 */
const PHASE_SHIFTS = [1 / 3, 1 / 3, 1 / 3];
/**
 * Up to ADMITTED_OWN_UP_TO: one shift of half its spacing. The others then take more than half of
 * the limit and are in sight at least half the time; senders held at the same whole number a
 * second still kept out of one process's sight (in real n8n, one of four at 2 a second beside
 * three at 2 read the bucket idle, went to 3.9 a second, and the four met a full window).
 */
const FEW_PHASE_SHIFTS = [1 / 2];
/** Phases are shifted only by a process held this far below its full pace or further: a shift costs part of a request, and near the full pace there is little to win. */
const SHIFT_BELOW_PACE = 0.9;
/** The share must show at least this much of this process's own use (checked from this own share of the limit on). */
const LOAD_SHOWS_OWN = 0.6;
const LOAD_CHECK_FROM = 0.2;
/** Others' share of a bucket is read from the answers that came while this process's own requests alone would have left it full: at least this many. */
const CLEAR_MIN_SAMPLES = 4;
/**
 * Answers whose latencies spread (their standard deviation) over at least this many times the
 * spacing of this process's own requests come at random moments of its own sending
 * (answersAtRandom).
 */
const RANDOM_PHASE_SPREAD = 1;
/**
 * The road between this process and the server (the network, a busy event loop) is measured by
 * its 429s, which the server answers at once: their round trips, the last this many, median.
 */
const ROAD_SAMPLES = 15;
/**
 * Held at an exact count (a whole number a second, half the window), the share of it sent: the
 * road's jitter J, its 429s' round trips from the 10th to the 90th percentile (from at least
 * JITTER_SAMPLES of them), needs k + 1 requests sent at the rate to span 1000 + J ms, so the
 * share is 1000 / (1000 + J + JITTER_MARGIN_MS), between TARGET_UTILISATION (an unknown road, or
 * a rough one) and EXACT_COUNT_TARGET. (On the pacing simulator, 48 seeds, four processes started
 * as n8n starts them took 1.244× at 96% and 1.211× with this; at 98% whatever the road, four
 * processes at 0–50 ms each way with stalls took 1.277× against 1.231×: README, benchmark
 * "2026-12-06, the road's margin".)
 */
const JITTER_SAMPLES = 5;
const JITTER_MARGIN_MS = 5;
/**
 * Two senders fit a one-second window only while each keeps to half of it: a sender at r a second
 * puts up to ⌈r⌉ requests in some one-second window (README, "What a one-second window allows").
 * So while another sender takes at least this share of the limit (as the headers read it)...
 */
const HALF_OTHERS = 0.3;
/** ...or did within this long... */
const HALF_MEMORY_MS = 5_000;
/** ...a rate just above half the window (up to this many times half) is held at half the target. Above it, the process sends mostly alone. */
const HALF_ZONE = 1.3;
/**
 * Two senders on a bucket that reads saturated: a process whose others read at most this many
 * times its own share (one other sender, about its size, not a crowd: MANY_OTHERS)...
 */
const PAIR_OTHERS = 1.5;
/** ...and that had no 429 for this long... */
const PAIR_QUIET_MS = 5_000;
/**
 * ...climbs this much pace a second, up to half the window (climbToHalf). Two processes at about
 * half each find the bucket below full at nearly every answer and hold (SATURATED): one held at
 * 4.43 a second for 87 s beside the other at 4.76, 92% of the limit at RPM 600 where 96% fits (a
 * real queue-mode run of two workers, 1.15×: README, benchmark "2026-12-07, two at half").
 */
const PAIR_CLIMB_PER_SECOND = 0.05;
/**
 * Three senders or more: while a bucket or a short-window count shows the others taking at
 * least this many times this process's own share (what it sent, or what its pace asks if more)
 * and HALF_OTHERS or more, within HALF_MEMORY_MS, and one of its last RECENT answers was a 429,
 * the rate is held just under a whole number of requests a second (fitWindow).
 */
const MANY_OTHERS = 2;
/**
 * Held at whole numbers, a rate stands for k requests a second from this share of k on (wholeOf),
 * not only from k itself: such a rate puts at most k in a window all the same. With plain
 * rounding down, a rate just under k held the process at k − 1, which at two a second is half its
 * rate: in the simulator, a process whose pace two 429s had halved (2.1 a second to 1.03) climbed
 * back to 1.86-1.96 a second, sent two only briefly at the top, and sent one a second for most of
 * 25 s while the four together sent 6-9 of the 10 allowed (four processes started as n8n starts
 * them, seed 76). On the simulator, 96 seeds, four processes started as in n8n took 1.205x
 * (slowest 1.354x) before and 1.193x (1.304x) with it; with stalls, 1.241x (1.330x) and 1.213x
 * (1.285x); at 0-50 ms each way, 1.249x (1.384x) and 1.219x (1.314x) (README, benchmark
 * "2026-12-06, whole numbers").
 */
const WHOLE_FROM = 0.75;
/**
 * Without headers: the first 429 sets the rate only once this many requests of this process
 * (the refused one included) are in its second; fewer is an overloaded server's 429, not a
 * limit. A first 429 with just this many says the others filled the window (or the key allows
 * two a second or fewer): the process is one of a crowd, and probes as one that sends a share.
 */
const LEARN_FROM = 3;
/**
 * The share of an exact count of requests a second aimed for, at most: the margin is only for
 * requests that reach the server less evenly than they leave (heldShare).
 */
const EXACT_COUNT_TARGET = 0.98;
/**
 * Without headers, the share of the learned rate aimed for: the learned rate is an exact count
 * of what one window let through (EXACT_COUNT_TARGET). A 429 outside the first one and the
 * probes shows requests reach the server less evenly than they leave (the network, a busy event
 * loop, or another sender's probe): the process aims at TARGET_UTILISATION, as with headers...
 */
export const UNHEADED_TARGET = EXACT_COUNT_TARGET;
/** ...for this long after such a 429. */
const BUNCHED_MEMORY_MS = 20_000;
/**
 * Without headers, once a rate is learned: a request waits until this process's own last second
 * (and this much more) holds fewer requests than the rate, so that a timer that fired late,
 * followed by one on time, does not put one more in a window than the server lets through.
 */
const OWN_WINDOW_SLACK_MS = 15;
/** Without headers, before the first 429: the rate starts at this many requests a second... */
const SLOW_START_PER_SECOND = 2;
/** ...and doubles every this long. */
const SLOW_START_DOUBLING_MS = 500;
/** Without headers: after this long without a 429, the rate is probed upwards... */
const PROBE_AFTER_MS = 10_000;
/**
 * ...or, while below the most it once had (a share: the others may leave), at least this long and
 * up to SHARE_PROBE_SPREAD_MS more, at random (shareProbeAfter). Four processes that met the
 * limit together learn their rates in the same second, so fixed waits keep them in step: each
 * probes in the same second as the others, the four probes together overfill the window, and
 * every probe finds no room. In the simulator (no headers, four processes as n8n starts them,
 * seed 17) all four were held at 2 a second (8 of the 10 allowed) from the 2nd second to the
 * end, and their probes every 6 s all met 429s together: 1.355x; in real n8n, the same from the
 * 39th second to the 60th (429s for all four at 48, 54 and 60 s), 1.30x. Probes spread at random
 * come one at a time, and a window of 10 has room for one of them (3 + 2 + 2 + 2), then another.
 * On the simulator (48 seeds, 0-25 ms each way) four processes as n8n starts them took 1.198x
 * instead of 1.238x; in real n8n four processes took 1.16x, 1.23x and 1.21x, side by side with
 * 1.22x, 1.30x and 1.27x (README, benchmark "2026-12-07, probes at random").
 */
const SHARE_PROBE_AFTER_MS = 3_000;
const SHARE_PROBE_SPREAD_MS = 6_000;
/** ...doubling every this long (a process left alone at its share finds the room in seconds)... */
const PROBE_DOUBLING_MS = 2_000;
/** ...and after a probe that found no room, twice as long, up to this. */
const PROBE_AFTER_MAX_MS = 20_000;
/** Without headers, after a 429: one request fewer for a second only where that keeps at least this share of the rate (heldAfterRefusal). */
const SKIP_KEEPS = 0.8;
/**
 * Without headers, a 429 outside a probe sets the rate to what got through, but keeps at least
 * this share of it (rounded): two a second stay two, three become two at the least, eight six.
 * In a crowd, such 429s come in pairs when another sender probes (its extra request counts in the
 * window, and so does each refused one), and a process at two a second whose two requests of one
 * second were both refused learned one. Its probes then met a full window (3 + 3 + 3 + 1 at RPM
 * 600) and found no room for the rest of the run, and it finished alone 13 s after the others (a
 * real n8n run of four processes, 1.32×: README, benchmark "2026-12-06, a 429 in a crowd"). An
 * overloaded server's random 429s no longer take a process alone down to one a second either.
 */
const UNPROBED_KEEPS = 0.75;
/**
 * Without headers, a process alone at its peak (five a second or more, not one of a crowd) that a
 * 429 outside a probe took below it goes back to it this long after, without a probe of its own
 * (undoCut). Such a 429 is its own requests arriving bunched: in real n8n, an event-loop stall
 * held one request about 100 ms after it left the queue, the next two were refused, and the
 * second took the rate from ten a second to eight. At eight until the probe 5 s later, which
 * cost a 429 of its own, two executions took 1.09x the floor (README, benchmark "2026-12-06, a
 * stall alone").
 */
const UNDO_CUT_AFTER_MS = 1_500;
/**
 * ...unless another 429 outside a probe comes before it goes back, or within this long after:
 * then another sender has come (a newcomer's first requests), and the cut stays...
 */
const UNDO_WATCH_MS = 2_000;
/** ...with no going back for this long. */
const UNDO_BLOCKED_MS = 30_000;

/**
 * Without headers, whether a learned rate is a process's own as far as 429s tell: one request
 * fewer keeps at least SKIP_KEEPS of it (five a second or more). Below, its 429s outside a probe
 * come from another sender's probe (heldAfterRefusal, undoCut).
 */
function alone(perSecond: number): boolean {
	return Math.floor(perSecond * TARGET_UTILISATION) >= SKIP_KEEPS * perSecond;
}

export type AnswerOutcome = { kind: 'answered'; snapshot: RateLimitSnapshot } | { kind: 'rate_limited'; snapshot: RateLimitSnapshot; retryAfterMs?: number };

interface Remembered {
	at: number;
	/** A 429. */
	refused: boolean;
	/** A 429 that showed the budget spent. */
	spent: boolean;
}

/**
 * The whole number of requests a second a rate at TARGET_UTILISATION of it stands for (fitWindow,
 * windowLimit): k from (k − 1 + WHOLE_FROM) × TARGET_UTILISATION a second on ((k − 0.25) × 96%).
 */
function wholeOf(rate: number): number {
	return Math.floor(rate / TARGET_UTILISATION + (1 - WHOLE_FROM));
}

/** What the headers of one unit (requests or tokens) say, and what has been checked about them. */
class Unit {
	limit?: number;
	remaining?: number;
	/** > 0: `remaining` counts a short window; < 0: it does not (a bucket). */
	evidence = 0;
	/** Samples of remaining, for the bucket's slope. */
	readonly samples: Array<{ at: number; remaining: number }> = [];
	/**
	 * Whether each recent answer found the bucket below full, for the share of time it is;
	 * `clear`: this process's own requests alone would have left it full then (requests only).
	 */
	readonly busy: Array<{ at: number; below: boolean; othersBelow: boolean; othersBelowAdmitted: boolean; clear: boolean; latencyMs: number }> = [];
	/** An answer found the bucket full: the headers are written as the answer leaves (at admission every answer counts its own request). */
	sawFull = false;
	/** Answers read past their own request's refill (read(), requests only). */
	readings = 0;
	/** An answer's `reset` showed the bucket holding less than its own request: not written at admission (requests only). */
	lessThanOwn = false;

	/** Whether the headers are written at admission: they always count the answer's own request (ADMISSION_AFTER). */
	admitted(): boolean {
		return !this.sawFull && !this.lessThanOwn && this.readings >= ADMISSION_AFTER;
	}

	get window(): boolean {
		return this.evidence >= WINDOW_EVIDENCE;
	}
}

/** The share of a unit's recent answers that found the bucket below full. */
function belowShare(unit: Unit, others = false, admitted = false): number {
	return unit.busy.filter((b) => (others ? (admitted ? b.othersBelowAdmitted : b.othersBelow) : b.below)).length / unit.busy.length;
}

export type Reading = 'short window' | 'bucket' | 'no headers';

export interface PaceView {
	pace: number;
	/** How `remaining` is read. */
	reading: Reading;
	limitRequests?: number;
	limitTokens?: number;
	/** Without headers: the requests per second the server was found to let through. */
	learnedPerSecond?: number;
}

export class PaceController {
	constructor(private readonly random: () => number = Math.random) {}

	readonly requests = new Unit();
	readonly tokens = new Unit();
	/** Multiplier on the target rate. */
	pace = 1;
	/** The pace at which the limit was last met (all senders together), without a short-window count. */
	private ceiling = 1;
	private firstAnswerAt?: number;
	private lastAnswerAt = 0;
	/** When the headers last showed others taking HALF_OTHERS of the limit or more. */
	private lastOthersAt?: number;
	/** When a bucket last showed them taking MANY_OTHERS times this process's own share too: three senders or more. */
	private lastManyAt?: number;
	private lastDecreaseAt = Number.NEGATIVE_INFINITY;
	private lastPauseAt = Number.NEGATIVE_INFINITY;
	private lastContendedAt = Number.NEGATIVE_INFINITY;
	private lastIncreaseAt = Number.NEGATIVE_INFINITY;
	/** Read at admission: when its phase was last shifted to bring others hidden by it into sight, and how many times in a row (shiftPhase). */
	private phaseShift?: { at: number; count: number; shifts: number[] };
	/** The short-window count's averages: used, and others' part, as shares of the per-second budget. */
	private usedShare = 0;
	private othersShare = 0;
	private watchedAt = Number.NEGATIVE_INFINITY;
	/** Since when a short-window count shows no one else. */
	private aloneSince?: number;
	/** This process's starts of the last few seconds, oldest first; `refused`: its answer was a 429. */
	private readonly starts: Array<{ at: number; tokens: number; refused?: boolean }> = [];
	private readonly recent: Remembered[] = [];
	/** A decrease on 429s in a row, being judged: did they stop? */
	private probation?: { since: number; paceBefore: number; refusedBefore: number };
	/** Until then, 429s in a row are an overloaded server's, not the limit's. */
	private noiseUntil = Number.NEGATIVE_INFINITY;
	/** Without rate-limit headers: what the server lets through, per second (this process's share of it). */
	private learnedPerSecond?: number;
	/** Without headers: when a 429 last set the rate, and how long after it the rate is probed upwards. */
	private learnedAt = 0;
	private probeAfterMs = PROBE_AFTER_MS;
	/** The most it ever learned: below it, this process sends at a share and others may leave. */
	private peakPerSecond = 0;
	/** Without headers: its first 429 came with the fewest requests a rate is learned from (LEARN_FROM): others filled the window. */
	private crowded = false;
	/** Without headers: when a 429 outside a probe last showed requests arriving bunched. */
	private bunchedAt = Number.NEGATIVE_INFINITY;
	/** Without headers: a cut to undo (undoCut), and when the last one was undone or may be again. */
	private undo?: { at: number; perSecond: number; learnedAt: number; probeAfterMs: number };
	private undoneAt = Number.NEGATIVE_INFINITY;
	private undoBlockedUntil = Number.NEGATIVE_INFINITY;
	/** Round trips of this process's latest 429s, in ms: the road to the server and back. */
	private readonly roundTrips: number[] = [];
	/** Their median, 0 before the first (roadTravelled). */
	private roadMs = 0;
	/** How much they vary, from the 10th to the 90th percentile; undefined before JITTER_SAMPLES of them. */
	private roadJitterMs?: number;

	reading(): Reading {
		if (!this.requests.limit && !this.tokens.limit) return 'no headers';
		return this.requests.window || this.tokens.window ? 'short window' : 'bucket';
	}

	view(): PaceView {
		return {
			pace: this.pace,
			reading: this.reading(),
			limitRequests: this.requests.limit,
			limitTokens: this.tokens.limit,
			learnedPerSecond: this.learnedPerSecond,
		};
	}

	/** Spacing between request starts at `now`, in ms; 0 while no limit is known. */
	intervalMs(now: number): number {
		if (this.reading() === 'no headers') {
			const perSecond = this.unheaded(now);
			const target = now - this.bunchedAt < BUNCHED_MEMORY_MS ? TARGET_UTILISATION : UNHEADED_TARGET;
			return perSecond ? 1000 / (perSecond * target) : 0;
		}
		const rate = this.paceRate();
		return rate ? 1000 / this.fitWindow(rate) : 0;
	}

	/** The requests a second the pace asks for (the target share of the limit, times the pace); undefined without a request limit. */
	private paceRate(): number | undefined {
		return this.requests.limit ? (this.requests.limit / 60) * TARGET_UTILISATION * this.pace : undefined;
	}

	/**
	 * When this process's own last second (refused requests included, as the server counts them)
	 * next holds fewer requests than it may send a second, so that one more fits (windowLimit).
	 * Spacing alone lets a window hold one too many after a timer that fired late (its successor
	 * keeps to the grid), and after a rate that fell (the last second was sent at the old one).
	 * -Infinity when nothing holds it.
	 */
	windowFreeAt(now: number): number {
		const limit = this.windowLimit(now);
		if (limit === undefined) return Number.NEGATIVE_INFINITY;
		// Starts are in order: the limit-th newest decides.
		const oldest = this.starts[this.starts.length - limit];
		return oldest ? oldest.at + 1000 + OWN_WINDOW_SLACK_MS : Number.NEGATIVE_INFINITY;
	}

	/**
	 * How many requests this process's own last second may hold, where that is a whole number:
	 * without headers, once a rate is learned (the server's count); on a bucket held at a whole
	 * number a second (fitWindow: three senders or more), that number, so that a fall from k + 1
	 * to k, which the faster follow-up of MANY_FOLLOW_PER_SECOND makes frequent, does not leave
	 * k + 1 in a window. Undefined otherwise.
	 */
	private windowLimit(now: number): number | undefined {
		if (this.reading() === 'no headers') {
			return this.learnedPerSecond === undefined ? undefined : Math.max(1, Math.ceil(this.unheaded(now) ?? 1));
		}
		const rate = this.paceRate();
		if (rate === undefined || !this.holdsWhole()) return undefined;
		return Math.max(1, wholeOf(rate));
	}

	/**
	 * Without headers, the requests a second: before any 429, a slow start from the first answer
	 * (doubling every SLOW_START_DOUBLING_MS); then what the last 429 showed the server lets
	 * through, probed upwards after a while without a 429 (a cut waiting to go back goes back
	 * first: undoCut). Undefined before the first answer.
	 */
	private unheaded(now: number): number | undefined {
		if (this.firstAnswerAt === undefined) return undefined;
		this.undoCut(now);
		if (this.learnedPerSecond === undefined) {
			return SLOW_START_PER_SECOND * 2 ** (Math.max(0, now - this.firstAnswerAt) / SLOW_START_DOUBLING_MS);
		}
		return this.learnedPerSecond * 2 ** (Math.max(0, now - this.learnedAt - this.probeAfterMs) / PROBE_DOUBLING_MS);
	}

	/**
	 * A rate that fits the one-second window beside senders that cannot see each other's sends
	 * (a sender at r a second puts up to ⌈r⌉ requests in some window). Only with the limit known:
	 * - Three senders or more, on a bucket or a short-window count (MANY_OTHERS), and a 429
	 *   among this process's last RECENT answers: the rate is held just under a whole number of
	 *   requests a second (its heldShare). A rate between two whole numbers puts as many in some
	 *   window as the one above, so senders held there that together stay under the limit on
	 *   average fit every window too: at RPM 600, four at 2.4 a second can put 12 in one second, while 2.88, 2.88, 1.92 and
	 *   1.92 put at most 10. Without a 429 lately nothing shows a window too full, and a process
	 *   left alone at a small share, which headers written at admission show as others' use, is
	 *   not held there. (A short-window count shows the window itself, and the pace yields to it
	 *   before the 429s.)
	 * - Another sender taking a good share (HALF_OTHERS): a rate just above half of the window is
	 *   held just under half of it (its heldShare). At RPM 600, 5.03 a second puts 6 requests in
	 *   some window, and the other's 5 make 11.
	 */
	private fitWindow(rate: number): number {
		if (!this.requests.limit) return rate;
		if (this.holdsWhole()) {
			const whole = wholeOf(rate);
			return whole >= 1 ? Math.min(rate, whole * this.heldShare()) : rate;
		}
		if (!this.lately(this.lastOthersAt)) return rate;
		const half = this.halfWindow();
		return half >= 1 && rate > half && rate <= half * HALF_ZONE ? half * this.heldShare() : rate;
	}

	/** Half the one-second window, in whole requests (0 without a request limit): what each of two senders fits in. */
	private halfWindow(): number {
		return this.requests.limit ? Math.floor(Math.floor(this.requests.limit / 60) / 2) : 0;
	}

	/**
	 * Two senders, on a bucket read saturated (nearly every answer finds it below full, so the load says
	 * hold): where the others read as one sender about this process's size (PAIR_OTHERS, and not a
	 * crowd) and no 429 came for PAIR_QUIET_MS, the pace climbs slowly to where the half window
	 * holds it (fitWindow), never past it. Two senders at half each fit every window, so the two
	 * meet at half the target each, wherever the start left them. The load cannot tell 92% from
	 * 100% here: two senders' requests that overlap in the bucket keep it below full longer than
	 * their share of the time (bucketLoad). On a short-window count too, where the others leave
	 * this process room for half the window (byShortWindow), with `sinceMs` already taken there.
	 */
	private climbToHalf(now: number, own: number, others: number, sinceMs?: number): void {
		if (!this.lately(this.lastOthersAt) || this.lately(this.lastManyAt) || others > PAIR_OTHERS * own) return;
		if (this.recent.some((r) => r.refused && r.at > now - PAIR_QUIET_MS)) return;
		const rate = this.paceRate();
		const half = this.halfWindow();
		if (!rate || half < 1) return;
		// The pace whose rate is half the window, as fitWindow holds it.
		const halfPace = (this.pace * half * this.heldShare()) / rate;
		if (this.pace < halfPace) this.pace = Math.min(halfPace, this.pace + (PAIR_CLIMB_PER_SECOND * (sinceMs ?? this.sinceIncrease(now))) / 1000);
	}

	/**
	 * The share of an exact count of requests a second sent (fitWindow): what the road's jitter
	 * needs (JITTER_SAMPLES), TARGET_UTILISATION while it is not known.
	 */
	private heldShare(): number {
		if (this.roadJitterMs === undefined) return TARGET_UTILISATION;
		return Math.min(EXACT_COUNT_TARGET, Math.max(TARGET_UTILISATION, 1000 / (1000 + this.roadJitterMs + JITTER_MARGIN_MS)));
	}

	/**
	 * The pace this process sends at where the half window holds its rate under what the pace
	 * asks (fitWindow), else its pace. (Not for whole numbers: a held process's pace must climb
	 * past the next whole number for its rate to move at all.)
	 */
	private sentPace(): number {
		const asked = this.paceRate();
		if (!asked || this.holdsWhole()) return this.pace;
		return this.pace * Math.min(1, this.fitWindow(asked) / asked);
	}

	/**
	 * Beside three senders or more (MANY_OTHERS, within CROWD_MEMORY_MS), whether this process takes
	 * more than the others' mean: more than half of what they take together, since two or more
	 * share it. Undefined where the others have not read as a crowd.
	 */
	private largerInCrowd(own: number, others: number): boolean | undefined {
		return this.lately(this.lastManyAt, CROWD_MEMORY_MS) ? own > others / 2 : undefined;
	}

	/** Three senders or more (a bucket's or a short-window count's), and a 429 among the last RECENT answers: the rate is held at a whole number a second (fitWindow). */
	private holdsWhole(): boolean {
		return this.lately(this.lastManyAt) && this.recent.some((r) => r.refused);
	}

	/** Whether the headers showed it within `memoryMs` of the last answer. */
	private lately(at: number | undefined, memoryMs = HALF_MEMORY_MS): boolean {
		return at !== undefined && this.lastAnswerAt - at <= memoryMs;
	}

	/**
	 * Notes what the headers say of the others' share: seen (with `own`, this process's own
	 * share, from a bucket: whether they are many), or gone (a bucket found idle).
	 */
	private othersSeen(now: number, share: number | undefined, idle = false, own?: number): void {
		if (idle) {
			this.lastOthersAt = undefined;
			this.lastManyAt = undefined;
		} else if (share !== undefined && share >= HALF_OTHERS) {
			this.lastOthersAt = now;
			// Its own share as the larger of what it sent and what its pace asks: a process held to a
			// whole number sends less than its pace asks, and must not read itself smaller and stay
			// held (in real n8n, the smaller of two processes did, for 7 s).
			if (own !== undefined && share >= MANY_OTHERS * Math.max(own, this.pace * TARGET_UTILISATION)) this.lastManyAt = now;
		}
	}

	/** Spacing per token, in ms; 0 without a token limit. */
	msPerToken(): number {
		return this.tokens.limit ? 60_000 / (this.tokens.limit * TARGET_UTILISATION * this.pace) : 0;
	}

	/** A request of this process starts. */
	recordStart(at: number, tokens: number): void {
		this.starts.push({ at, tokens });
		while (this.starts.length && this.starts[0].at <= at - Math.max(5_000, LOAD_SPAN_MS)) this.starts.shift();
	}

	/** This process's own starts of the last second (and a little more: the server counted before we read). */
	private own(now: number, slack = ANSWER_SLACK_MS): { requests: number; tokens: number } {
		let requests = 0;
		let tokens = 0;
		for (const start of this.starts) {
			if (start.at > now - 1000 - slack && start.at <= now) {
				requests++;
				tokens += start.tokens;
			}
		}
		return { requests, tokens };
	}

	/**
	 * An answer to a request that started at `startedAt` and held `tokens`: reads its headers
	 * and moves the pace. Returns how long every waiting request should pause, or 0.
	 */
	onAnswer(now: number, startedAt: number, tokens: number, outcome: AnswerOutcome): number {
		this.firstAnswerAt ??= now;
		this.lastAnswerAt = now;
		const snapshot = outcome.snapshot;
		if (outcome.kind === 'rate_limited') this.roadTravelled(Math.max(0, now - startedAt));
		this.read(this.requests, snapshot.limitRequests, snapshot.remainingRequests, now, startedAt, tokens, 'requests', snapshot.resetRequestsMs);
		this.read(this.tokens, snapshot.limitTokens, snapshot.remainingTokens, now, startedAt, tokens, 'tokens', snapshot.resetTokensMs);
		const refused = outcome.kind === 'rate_limited';
		if (refused) {
			const start = this.starts.find((s) => s.at === startedAt && !s.refused);
			if (start) start.refused = true;
		}
		this.judgeProbation(now);
		const reading = this.reading();
		if (reading === 'no headers') return this.byRefusals(now, startedAt, outcome);
		return reading === 'short window' ? this.byShortWindow(now, tokens, outcome) : this.byBucket(now, tokens, outcome);
	}

	/**
	 * Without headers, only 429s tell, and each one tells exactly what the server let through:
	 * the refused request arrived in a window already holding the limit, so this process's
	 * requests of the second before it that were not refused are what it may send a second (all
	 * of the limit when alone, its share when not; a 429 comes back at once, so one still in
	 * flight was let through). The rate is set there, up or down (outside a probe, down by at most
	 * a quarter: UNPROBED_KEEPS; a process alone at its peak goes back to it 1.5 s later unless
	 * another such 429 comes: undoCut), and the queue waits until this process's own last second
	 * (refused requests count too) holds less than it may send (heldAfterRefusal). After a while
	 * without a 429 the rate is probed upwards (others may have left); a probe that found no room
	 * waits twice as long before the next one.
	 */
	private byRefusals(now: number, startedAt: number, outcome: AnswerOutcome): number {
		if (outcome.kind === 'answered') {
			this.remember(now, false, false);
			return 0;
		}
		this.remember(now, true, true);
		// The server counted them as they arrived, up to a road later: those sent a little more than a second before may count too.
		const before = this.starts.filter((start) => start.at > startedAt - 1000 - ANSWER_SLACK_MS && start.at < startedAt);
		const learned = this.learnedPerSecond;
		// Before the first rate: too few requests to have met a limit is an overloaded server's 429, not the rate.
		if (learned === undefined && before.length + 1 < LEARN_FROM) return 0;
		// A first 429 with the fewest requests to learn from: the others filled the window.
		if (learned === undefined && before.length + 1 === LEARN_FROM) this.crowded = true;
		const accepted = Math.max(1, before.filter((start) => !start.refused).length);
		const probing = learned !== undefined && now - this.learnedAt > this.probeAfterMs;
		// A cut from the peak waiting to go back (undoCut), or just gone back: another 429 outside a probe is a newcomer's, not a stall's.
		const newcomer = !probing && (this.undo !== undefined || now - this.undoneAt < UNDO_WATCH_MS);
		if (newcomer) {
			this.undo = undefined;
			this.undoBlockedUntil = now + UNDO_BLOCKED_MS;
		}
		// A share (below the most it once had, or one of a crowd from the start): the others may leave, so it probes sooner (shareProbeAfter).
		const share = (rate: number): boolean => rate < this.peakPerSecond || this.crowded;
		if (learned === undefined || accepted > learned) {
			this.probeAfterMs = this.crowded ? this.shareProbeAfter() : PROBE_AFTER_MS;
			this.learnedPerSecond = accepted;
		} else if (probing) {
			// A probe that found no room: back to the rate before it, and the next one waits longer, unless this process sends at a share.
			this.probeAfterMs = share(learned) ? this.shareProbeAfter() : Math.min(PROBE_AFTER_MAX_MS, this.probeAfterMs * 2);
		} else {
			// Refused at its own rate, not probing: its requests reach the server bunched (or another sender probed). A wider margin for a
			// while, and the rate falls to what got through, by at most a quarter (UNPROBED_KEEPS).
			this.bunchedAt = now;
			const cutFrom = { perSecond: learned, learnedAt: this.learnedAt, probeAfterMs: this.probeAfterMs };
			this.learnedPerSecond = Math.max(accepted, Math.round(learned * UNPROBED_KEEPS));
			if (share(accepted)) this.probeAfterMs = this.shareProbeAfter();
			// A process alone, cut from its peak: goes back UNDO_CUT_AFTER_MS later, unless a newcomer shows (undoCut).
			const ownPeak = learned >= this.peakPerSecond && !this.crowded && alone(learned);
			if (ownPeak && this.learnedPerSecond < learned && !newcomer && now >= this.undoBlockedUntil) {
				this.undo = { at: now + UNDO_CUT_AFTER_MS, ...cutFrom };
			}
		}
		this.learnedAt = now;
		// A probe that found no room keeps a rate at or below the peak already, and so does a 429 outside a probe; otherwise the rate is `accepted`.
		this.peakPerSecond = Math.max(this.peakPerSecond, accepted);
		// Until this process's own last second holds fewer than it may send, counting the refused ones (heldAfterRefusal).
		const window = this.starts.filter((start) => start.at > now - 1000);
		const over = window.length - this.heldAfterRefusal(this.learnedPerSecond ?? accepted, learned === undefined);
		return over >= 0 ? Math.max(0, window[over].at + 1000 - now) : 0;
	}

	/**
	 * Without headers, how long a process sending a share waits without a 429 before it probes:
	 * SHARE_PROBE_AFTER_MS, and up to SHARE_PROBE_SPREAD_MS more, at random.
	 */
	private shareProbeAfter(): number {
		return SHARE_PROBE_AFTER_MS + SHARE_PROBE_SPREAD_MS * this.random();
	}

	/**
	 * Without headers, after a 429: how many requests this process's own last second (the refused
	 * one included) may hold when the next one leaves. Its target share of the rate, floor(96% of
	 * it), so that the window the 429 found full gets a gap: one request fewer for a second. Not
	 * where that one is more than a fifth of a learned rate (SKIP_KEEPS: fewer than five a second),
	 * which keeps the whole rate. At a few a second the 429s outside a probe come from another
	 * sender's probe, which that sender takes back itself, and each of the crowd's processes gets
	 * one: held a third or half under its rate for a second, each left a gap the probe found, and
	 * four processes lost more in the middle of a run than the probes took (README, benchmark
	 * "2026-12-06, a 429 in a crowd"). The first rate is learned at the end of a slow start that
	 * went past it, and keeps the gap.
	 */
	private heldAfterRefusal(rate: number, first: boolean): number {
		return Math.max(1, !first && !alone(rate) ? rate : Math.floor(rate * TARGET_UTILISATION));
	}

	/**
	 * Without headers: a cut that a 429 outside a probe made from a process's peak, undone
	 * UNDO_CUT_AFTER_MS later (the rate, and when the next probe comes, as before it), unless
	 * another such 429 came in between.
	 */
	private undoCut(now: number): void {
		if (!this.undo || now < this.undo.at) return;
		this.learnedPerSecond = this.undo.perSecond;
		this.learnedAt = this.undo.learnedAt;
		this.probeAfterMs = this.undo.probeAfterMs;
		this.undoneAt = now;
		this.undo = undefined;
	}

	/** With a short-window count: the headers show the others directly. */
	private byShortWindow(now: number, tokens: number, outcome: AnswerOutcome): number {
		const window = this.shortWindow(now);
		// A process that arrives while others already spend (or that starts with them) takes a share, not the full rate.
		if (window && now - (this.firstAnswerAt ?? now) <= NEWCOMER_MS && window.others >= NEWCOMER_OTHERS) {
			this.pace = Math.min(this.pace, Math.max(NEWCOMER_PACE, 1 - window.others));
		}
		const sharing = window !== undefined && this.watch(window, now) >= OTHERS_SHARE;
		// Its own share of the count, to tell three senders or more (MANY_OTHERS), as on a bucket.
		const own = Math.max(0, this.usedShare - this.othersShare);
		if (window) this.othersSeen(now, this.othersShare, false, own);
		// Beside three senders or more, the one taking more than the others' mean gives more, the others less.
		const larger = this.largerInCrowd(own, this.othersShare);
		if (sharing) this.contended(now);
		else if (window?.alone) this.aloneSince ??= now;
		if (outcome.kind === 'answered') {
			this.remember(now, false, false);
			const since = this.sinceIncrease(now);
			// Two senders that each keep to half the window (fitWindow) fill it exactly: a count at the limit
			// is theirs, not a crowd's. Where the others leave this process room for half of it, the pace
			// falls only while the count is above the limit. Read as crowded from 99% on, a count of 10 of 10 at
			// RPM 600 took the pace down by 10% a second; the smaller of two fell from 4.8 a second to 4.2
			// and climbed back at INCREASE_PER_SECOND: two processes took 1.14x the floor on the simulator and
			// 1.12-1.15x in real n8n (README, benchmark "2026-12-07, last").
			const budget = (this.requests.limit ?? 0) / 60;
			const roomForHalf = budget > 0 && this.othersShare + (this.halfWindow() * this.heldShare()) / budget <= 1;
			if (sharing && this.usedShare > (roomForHalf ? 1 : CROWDED)) {
				// Others spend too and the count is above the target: yield before the 429s come.
				const speed = larger === undefined ? 1 : larger ? LARGER_SHARE_SMOOTH : SMALLER_SHARE_SMOOTH;
				this.pace = Math.max(MIN_PACE, this.pace * (1 - (speed * SMOOTH_DECREASE_PER_SECOND * since) / 1000));
			} else if (sharing && this.usedShare < TARGET_UTILISATION * ROOM) {
				// Others spend, but all together leave room (some of them left): each grows in proportion to what it
				// sends, and beside three senders or more a smaller one as if it sent the others' mean (CROWD_MEAN_OF).
				const from = larger === false ? Math.max(this.pace, this.othersShare / CROWD_MEAN_OF / TARGET_UTILISATION) : this.pace;
				this.follow(this.usedShare, since, this.pace, FOLLOW_PER_SECOND, from);
			} else {
				const quiet = now - this.lastContendedAt > QUIET_MS || (this.aloneSince !== undefined && now - this.aloneSince >= ALONE_MS);
				this.grow(since, quiet ? Math.max(RECOVERY_PER_SECOND, this.pace) : INCREASE_PER_SECOND);
				// And back to half the window, where a 429 (its requests bunched on the road) took it below.
				if (sharing && !quiet && roomForHalf) this.climbToHalf(now, own, this.othersShare, since);
			}
			return 0;
		}
		const snapshot = outcome.snapshot;
		const recent = this.recent.slice(-20);
		const spent = this.empty(snapshot, tokens) || (recent.length >= 10 && recent.filter((r) => r.refused).length * 2 >= recent.length);
		this.remember(now, true, spent);
		if (!spent) return 0;
		if (!(sharing || this.someoneElseSpends(now) || this.spentOften())) return 0;
		const usual = !sharing ? DECREASE : larger === undefined ? SHARED_DECREASE : larger ? LARGER_SHARE_DECREASE : SMALLER_SHARE_DECREASE;
		return this.contention(now, this.decreaseFactor(now, usual), outcome.retryAfterMs ?? 1000, 50);
	}

	/**
	 * With a bucket: below full, its slope measures everyone's demand, and a 429 is about the
	 * limit; full, the pace grows slowly and a 429 is a blip.
	 */
	private byBucket(now: number, tokens: number, outcome: AnswerOutcome): number {
		const drained = this.drained();
		// This process's own share of the request limit, read once for the load and for what the others take.
		const own = this.ownShare(now);
		const atRandom = this.answersAtRandom(own);
		// Everyone's demand as a share of the limit: from a falling bucket, or from how much of the time it is below full.
		const demand = drained ? this.bucketDemand(now) : undefined;
		const load = demand ?? this.bucketLoad(now, atRandom, own);
		// A bucket found full by nearly every answer for seconds (but for this process's own latest requests): nobody else takes much.
		const idle = !drained && this.bucketIdle();
		const known = load !== undefined && !idle;
		// What the others take, as far as the load shows: all senders' load less this process's own share.
		const others = load === undefined ? undefined : load - own;
		this.othersSeen(now, others, idle, own);
		if (known && (demand !== undefined || load < SATURATED)) {
			const many = this.lately(this.lastManyAt) && this.requests.sawFull;
			// Read at random moments, the load counts what this process sends, which the half window may hold under what its pace asks.
			const from = atRandom ? this.sentPace() : this.pace;
			this.follow(load, this.sinceIncrease(now), many ? MANY_MAX_FOLLOW_UP : MAX_FOLLOW_UP, many ? MANY_FOLLOW_PER_SECOND : FOLLOW_PER_SECOND, from);
			if (load > 1) this.contended(now);
		} else if (known && others !== undefined && outcome.kind === 'answered') {
			// Saturated: hold, but two senders may each come to half the window.
			this.climbToHalf(now, own, others);
		}
		if (drained) this.contended(now);
		if (outcome.kind === 'answered') {
			this.remember(now, false, false);
			if (!drained && !known) {
				const since = this.sinceIncrease(now);
				const quietMs = Math.max(0, now - this.lastContendedAt);
				const below = this.ceiling * BACK_TO - this.pace;
				if (idle) {
					// A bucket found full by nearly every answer for seconds: nobody else takes much (the others left). Up fast.
					this.grow(since, Math.max(RECOVERY_PER_SECOND, this.pace));
				} else if (below > 0) {
					// Back to just under where the limit was last met, quickly (half the gap a second)...
					this.grow(since, Math.max(INCREASE_PER_SECOND, below * RETURN_PER_SECOND));
				} else {
					// ...then past it slowly, the faster the longer nothing showed (others may have left).
					this.grow(since, Math.min(RECOVERY_PER_SECOND, INCREASE_PER_SECOND * 2 ** (quietMs / QUIET_DOUBLING_MS)));
				}
			}
			return idle ? 0 : this.shiftPhase(now, own);
		}
		const snapshot = outcome.snapshot;
		// A bucket below full or empty says the budget is spent. A full one cannot tell a window
		// that refuses everyone (all senders just past the limit) from an overloaded server
		// refusing at random: 429s in a row count, unless a decrease on them did not stop them lately.
		// At the full pace (sending alone, as far as is known) it takes a longer run: an overloaded
		// server's random 429s come in short runs, and a newcomer empties the bucket anyway.
		const lately = this.recent.filter((r) => r.at > now - REFUSED_SPAN_MS);
		const refusedLately = (lately.filter((r) => r.refused).length + 1) / (lately.length + 1);
		const run = this.refusedInARow() + 1;
		// Alone as far as the bucket shows (its load is this process's own), or, when it cannot tell, at the full pace.
		const alone = others === undefined ? this.pace >= ALONE_PACE : others < ALONE_OTHERS;
		const inARow = (alone ? run >= RUN_ALONE : run >= RUN || (lately.length >= 4 && refusedLately >= REFUSED_SHARE)) && now >= this.noiseUntil;
		const spent = drained || this.empty(snapshot, tokens) || inARow;
		// A process alone at the full pace that slows down on 429s in a row checks that they stop.
		if (inARow && alone && !drained) this.startProbation(now);
		this.remember(now, true, spent);
		if (!spent) {
			// A 429 not about the limit, for a process alone: scattered ones are its own bunching.
			if (alone) this.yieldToScatter(now);
			return 0;
		}
		// What to give: by the shares the bucket shows, when it shows the others. Beside three senders
		// or more lately, the others' share is split among at least two: more than their mean is larger.
		const usual = others === undefined ? DECREASE : (this.largerInCrowd(own, others) ?? own > others) ? LARGER_SHARE_DECREASE : SMALLER_SHARE_DECREASE;
		return this.contention(now, this.decreaseFactor(now, usual), outcome.retryAfterMs ?? 1000, WINDOW_PAUSE_MS);
	}

	/**
	 * A decrease on 429s in a row that did not stop them was not about the limit: an overloaded
	 * server refusing at random refuses as much at any pace, while senders past the limit stop
	 * being refused as soon as together they are under it. The pace goes back, and 429s in a
	 * row are ignored for a while.
	 */
	private judgeProbation(now: number): void {
		const probation = this.probation;
		if (!probation || now < probation.since + PROBATION_MS) return;
		this.probation = undefined;
		const after = this.refusedShare(probation.since + WINDOW_PAUSE_MS, now);
		if (after >= NOISE_SHARE) {
			this.noiseUntil = now + NOISE_MS;
			this.pace = Math.max(this.pace, probation.paceBefore);
			this.lastContendedAt = Number.NEGATIVE_INFINITY;
		}
	}

	/**
	 * A 429 that is not about the limit, for a process that sends alone as far as the headers
	 * tell: when SCATTERED of its last RECENT answers were 429s, its requests leave evenly spaced
	 * but arrive bunched. The pace gives a little, on probation (an overloaded server's random
	 * 429s do not stop, and the pace goes back).
	 */
	private yieldToScatter(now: number): void {
		if (now < this.noiseUntil || this.recent.length < RECENT || this.recent.filter((r) => r.refused).length < SCATTERED) return;
		this.startProbation(now);
		this.contended(now);
		this.decrease(SCATTERED_DECREASE, now);
	}

	/** Puts a decrease on probation (judgeProbation), unless one is being judged already. */
	private startProbation(now: number): void {
		this.probation ??= { since: now, paceBefore: this.pace, refusedBefore: this.refusedShare(now - 2_000, now) };
	}

	/** Others spend: the pace drops (at most once a second), and everyone waiting pauses for the hint. */
	private contention(now: number, factor: number, hintMs: number, minPauseMs: number): number {
		this.contended(now);
		if (now - this.lastDecreaseAt >= DECREASE_GUARD_MS) {
			// Where the limit was met: the pace returns to just under it, then probes past it slowly.
			this.ceiling = this.pace;
		}
		this.decrease(factor, now);
		this.lastIncreaseAt = now;
		if (now - this.lastPauseAt < DECREASE_GUARD_MS) return 0;
		this.lastPauseAt = now;
		return Math.min(MAX_PAUSE_MS, Math.max(minPauseMs, hintMs));
	}

	/**
	 * Whether a bucket is below full: all senders together took more than it refills, lately.
	 * (One sender under the limit cannot take it below full: the short window keeps each one's
	 * own share under the refill.)
	 */
	private drained(): boolean {
		for (const unit of [this.requests, this.tokens]) {
			if (unit.window || !unit.limit || unit.remaining === undefined) continue;
			if (unit.remaining < unit.limit - Math.max(2, BUCKET_FULL_MARGIN * (unit.limit / 60))) return true;
		}
		return false;
	}

	/**
	 * How much a decrease keeps: when most of this process's latest requests were refused, what
	 * the server let through is what it can send (no less than half); else `usual`.
	 */
	private decreaseFactor(now: number, usual: number): number {
		const refusedShare = this.refusedShare(now - REFUSED_SPAN_MS, now);
		return refusedShare >= 0.5 ? Math.max(HARDEST_DECREASE, 1 - refusedShare) : usual;
	}

	private refusedShare(from: number, to: number): number {
		const answers = this.recent.filter((r) => r.at > from && r.at <= to);
		return answers.length ? answers.filter((r) => r.refused).length / answers.length : 0;
	}

	private refusedInARow(): number {
		let run = 0;
		for (let i = this.recent.length - 1; i >= 0 && this.recent[i].refused; i--) run++;
		return run;
	}

	private sinceIncrease(now: number): number {
		const since = Math.min(1000, Math.max(0, now - this.lastIncreaseAt));
		this.lastIncreaseAt = now;
		return since;
	}

	/**
	 * Moves so that all senders together (taking `load` of the limit) take the target, each in
	 * proportion to what it sends: `from`, the pace it sends at (its pace unless a rule holds it
	 * under it).
	 */
	private follow(load: number, sinceMs: number, maxUp = MAX_FOLLOW_UP, upPerSecond = FOLLOW_PER_SECOND, from = this.pace): void {
		const wanted = Math.min(1, Math.max(MIN_PACE, (from * TARGET_UTILISATION) / Math.max(load, 0.01)));
		const step = Math.min(1, ((wanted > this.pace ? upPerSecond : FOLLOW_PER_SECOND) * sinceMs) / 1000);
		this.pace += step * (Math.min(wanted, this.pace + maxUp) - this.pace);
	}

	private grow(sinceMs: number, perSecond: number): void {
		this.pace = Math.min(1, this.pace + (perSecond * sinceMs) / 1000);
	}

	/** Reads one unit's headers, and checks what `remaining` counts against this process's own last second. */
	private read(
		unit: Unit,
		limit: number | undefined,
		remaining: number | undefined,
		now: number,
		startedAt: number,
		tokens: number,
		kind: 'requests' | 'tokens',
		resetMs: number | undefined,
	): void {
		if (!limit || remaining === undefined) return;
		unit.limit = limit;
		unit.remaining = remaining;
		const own = this.own(now);
		const ownUse = kind === 'requests' ? own.requests : own.tokens;
		if (own.requests >= 2 && ownUse > 0) {
			// A short-window count includes at least this process's own last second (60 × it, scaled to the minute).
			const ratio = (limit - remaining) / (60 * ownUse);
			if (ratio >= SHOWS_OWN) unit.evidence = Math.min(EVIDENCE_CAP, unit.evidence + 1);
			else if (ratio <= SHOWS_LITTLE) unit.evidence = Math.max(-EVIDENCE_CAP, unit.evidence - 1);
		}
		unit.samples.push({ at: now, remaining });
		while (unit.samples.length && unit.samples[0].at < now - SLOPE_SPAN_MS) unit.samples.shift();
		// An answer that came before its own request was refilled (a quick 429) would only see that request.
		if (now - startedAt >= (REFILLED * (kind === 'requests' ? 1 : Math.max(1, tokens)) * 60_000) / limit) {
			// Below full by more than this process's own latest requests not yet refilled: someone else's use.
			// The server read the bucket a road ago, and counted this process's requests a road after they left.
			const unrefilled = kind === 'requests' ? this.unrefilled(now - this.roadMs, limit) : 0;
			if (remaining >= limit) unit.sawFull = true;
			// Its own requests alone would have left the bucket full when it was read, give or take the road's jitter.
			const clear = kind === 'requests' && unrefilled === 0 && this.unrefilled(now - this.roadMs - ANSWER_SLACK_MS, limit) === 0;
			// Written at admission, the headers count this request and this process's earlier ones still in the bucket as it came.
			const admitted = kind === 'requests' ? this.unrefilled(startedAt, limit) : 0;
			// Near full (no more than its own request and one more below), an answer could show less than its own request.
			if (kind === 'requests' && remaining >= limit - 2) {
				unit.readings++;
				// At admission the bucket holds at least this request, whose refill takes 60 s / limit: `reset`, "the time until the rate limit resets to its initial state".
				if (resetMs !== undefined && resetMs < (RESET_SHOWS_OWN * 60_000) / limit) unit.lessThanOwn = true;
			}
			unit.busy.push({
				at: now,
				below: remaining < limit,
				othersBelow: remaining < limit - Math.ceil(unrefilled),
				// (Less a thousandth, so that a rounding error does not make one request two.)
				othersBelowAdmitted: remaining < limit - Math.ceil(admitted - 0.001),
				clear,
				latencyMs: now - startedAt,
			});
		}
		while (unit.busy.length && unit.busy[0].at < now - LOAD_SPAN_MS) unit.busy.shift();
	}

	/**
	 * The road to the server and back, in ms: the median round trip of this process's latest
	 * 429s (answered at once, so all road), kept in `roadMs` (read at every answer, moved only by
	 * a 429), and how much they vary, in `roadJitterMs` (heldShare). An answer's headers describe
	 * the bucket as the server wrote them, one way before the answer is read, and they count this
	 * process's requests one way after they left: its own requests are where they were a round
	 * trip ago. Read as of now, an answer that came late showed this process's own latest request
	 * still unrefilled, where the pacer had it refilled already, and counted it as someone else's:
	 * a process alone read the bucket as busy and held below its full pace (README, "The road to
	 * the server").
	 */
	private roadTravelled(roundTripMs: number): void {
		this.roundTrips.push(roundTripMs);
		if (this.roundTrips.length > ROAD_SAMPLES) this.roundTrips.shift();
		const sorted = [...this.roundTrips].sort((a, b) => a - b);
		this.roadMs = sorted[Math.floor(sorted.length / 2)];
		if (sorted.length >= JITTER_SAMPLES) {
			this.roadJitterMs = sorted[Math.ceil(sorted.length * 0.9) - 1] - sorted[Math.floor(sorted.length * 0.1)];
		}
	}

	/**
	 * How much of a request bucket this process's own requests still hold: the bucket refills
	 * at limit/60 a second, the oldest first, so a request is back once its share of the refill
	 * has come. A sender alone at any pace finds the bucket below full by at most this.
	 */
	private unrefilled(now: number, limit: number): number {
		const perMs = limit / 60_000;
		let held = 0;
		let last: number | undefined;
		for (const start of this.starts) {
			if (start.at > now) continue;
			if (last !== undefined) held = Math.max(0, held - (start.at - last) * perMs);
			held += 1;
			last = start.at;
		}
		return last === undefined ? 0 : Math.max(0, held - (now - last) * perMs);
	}

	/**
	 * What all senders take, as a multiple of the limit, from a bucket below full: it refills
	 * at limit/60 a second less what they take. Measured by a straight line through the
	 * samples since the last decrease (at least SLOPE_MIN_MS of them, all below full: a full
	 * bucket hides what is not taken). Undefined when it cannot be told.
	 */
	private bucketDemand(now: number): number | undefined {
		let demand: number | undefined;
		for (const unit of [this.requests, this.tokens]) {
			if (unit.window || !unit.limit) continue;
			const budget = unit.limit / 60;
			const full = unit.limit - Math.max(1, BUCKET_FULL_MARGIN * budget);
			const samples = unit.samples.filter((s) => s.at > this.lastDecreaseAt + ANSWER_SLACK_MS);
			if (samples.length < 4 || samples.some((s) => s.remaining >= full)) continue;
			const span = now - samples[0].at;
			if (span < SLOPE_MIN_MS) continue;
			const meanAt = samples.reduce((sum, s) => sum + s.at, 0) / samples.length;
			const meanRemaining = samples.reduce((sum, s) => sum + s.remaining, 0) / samples.length;
			let covariance = 0;
			let variance = 0;
			for (const s of samples) {
				covariance += (s.at - meanAt) * (s.remaining - meanRemaining);
				variance += (s.at - meanAt) ** 2;
			}
			if (variance === 0) continue;
			const slopePerSecond = (covariance / variance) * 1000;
			demand = Math.max(demand ?? 0, Math.max(0, 1 - slopePerSecond / budget));
		}
		return demand;
	}

	/**
	 * Whether the bucket was full at nearly every answer of the last LOAD_SPAN_MS, but for
	 * this process's own requests not yet refilled: what else keeps it below full is others'
	 * use; this says there is (almost) none. It then overrides the load measure: a process left
	 * alone at a small pace comes back fast. Read at admission, also when nobody showed after
	 * each shift of its phase (shiftPhase) within the last 2 × LOAD_SPAN_MS.
	 */
	private bucketIdle(): boolean {
		const unit = this.requests;
		if (unit.window || !unit.limit || unit.busy.length < IDLE_MIN_SAMPLES) return false;
		if (belowShare(unit, true) <= IDLE_SHARE) return true;
		// Read at admission: nobody in sight, also after each shift of its phase (shiftPhase).
		if (!unit.admitted()) return false;
		const shift = this.phaseShift;
		return shift !== undefined && shift.count === shift.shifts.length && this.lastAnswerAt - shift.at <= 2 * LOAD_SPAN_MS && this.unseenSinceShift();
	}

	/** Whether, since its phase was last shifted, IDLE_MIN_SAMPLES answers or more came and nearly none showed others (read at admission). */
	private unseenSinceShift(): boolean {
		const shift = this.phaseShift;
		if (!shift) return false;
		const since = this.requests.busy.filter((b) => b.at - b.latencyMs > shift.at);
		return since.length >= IDLE_MIN_SAMPLES && since.filter((b) => b.othersBelowAdmitted).length <= IDLE_SHARE * since.length;
	}

	/**
	 * Read at admission and held below SHIFT_BELOW_PACE: when no other showed at any answer of
	 * the last LOAD_SPAN_MS, they may have left, or they send at about this process's rate with
	 * their requests always refilled before its own arrive (it sees another's request only when it
	 * came less than a refill before its own: at RPM 600, 100 ms of the 200 between two of its
	 * requests at 5 a second). Its next request then goes later by a share of its spacing
	 * (returned as a pause: FEW_PHASE_SHIFTS up to ADMITTED_OWN_UP_TO, else PHASE_SHIFTS, one
	 * after another while nobody shows), so that a sender hidden so comes into sight, and one that
	 * left does not (bucketIdle). Returns the pause, or 0.
	 */
	private shiftPhase(now: number, own: number): number {
		const unit = this.requests;
		if (!unit.admitted() || this.pace > SHIFT_BELOW_PACE || unit.busy.length < IDLE_MIN_SAMPLES) return 0;
		if (belowShare(unit, true, true) > IDLE_SHARE) return 0;
		const shift = this.phaseShift;
		// A first shift (the series by its share), or the next of the series while nobody showed since the last.
		let next: { count: number; shifts: number[] };
		if (!shift || now - shift.at >= LOAD_SPAN_MS) next = { count: 1, shifts: own <= ADMITTED_OWN_UP_TO ? FEW_PHASE_SHIFTS : PHASE_SHIFTS };
		else if (shift.count < shift.shifts.length && this.unseenSinceShift()) next = { count: shift.count + 1, shifts: shift.shifts };
		else return 0;
		const interval = this.intervalMs(now);
		const last = this.starts[this.starts.length - 1];
		if (!interval || !last) return 0;
		this.phaseShift = { at: now, ...next };
		return Math.max(0, last.at + interval - now) + interval * next.shifts[next.count - 1];
	}

	/**
	 * This process's own use of the last LOAD_SPAN_MS (or since its first answer) as a share of
	 * a unit's limit: requests, or the tokens they held. 0 without a limit.
	 */
	private ownShare(now: number, unit: Unit = this.requests): number {
		if (!unit.limit || !this.starts.length) return 0;
		const span = Math.min(LOAD_SPAN_MS, now - (this.firstAnswerAt ?? now) + 1000);
		const own = this.starts.filter((start) => start.at > now - span);
		const used = unit === this.requests ? own.length : own.reduce((sum, start) => sum + start.tokens, 0);
		return used / (span / 1000) / (unit.limit / 60);
	}

	/**
	 * What all senders take as a share of the limit, from a bucket: it is below full exactly
	 * that share of the time (it refills at the limit's rate whenever it is below full, and
	 * every request takes 1 from it), so the share of answers that found it below full
	 * measures it, up to saturation: from there on, all senders together take about the limit,
	 * and the pace holds. Answers come a latency after their own request, so their readings are
	 * not random moments: they tend to see this process's next request, which made a process
	 * alone at a small pace read the bucket as saturated and hold. So for requests, an answer
	 * counts as others' when the bucket is below full by more than this process's own requests
	 * not yet refilled, and the load is that share plus this process's own (known) share.
	 *
	 * That share reads high wherever this process's requests and the others' overlap in the
	 * bucket: an own request that arrives while another's is still being refilled waits behind
	 * it, and the bucket stays below full longer. So, on a bucket whose headers are written as the
	 * answer leaves (sawFull), others' share is read from the answers that came while this
	 * process's own requests alone would have left the bucket full (`clear`): the bucket is
	 * below full then only for the others, and its own requests alone would leave it full
	 * 1 − its own share of the time, so others' share of the time is the share of those answers
	 * that found it below full, times 1 − its own share. (A queue served at the refill rate is
	 * busy exactly as much as all its senders together take, and at least whenever one of them
	 * alone would keep it busy.) Not with three senders or more (MANY_OTHERS, lately): held at
	 * whole numbers a second, each would read the room one more request a second leaves, and
	 * all would step up together (four processes 1.27× with 12% 429s on the simulator); the
	 * higher reading keeps them where they fit. The measure stays rough, and is used only to
	 * hold, to yield or to follow up slowly.
	 */
	private bucketLoad(now: number, atRandom: boolean, ownRequests: number): number | undefined {
		let load: number | undefined;
		for (const unit of [this.requests, this.tokens]) {
			if (unit.window || !unit.limit || unit.busy.length < LOAD_MIN_SAMPLES) continue;
			const share = belowShare(unit);
			const ownShare = unit === this.requests ? ownRequests : this.ownShare(now, unit);
			// It must show at least most of this process's own use; if not, `remaining` means something else.
			if (ownShare >= LOAD_CHECK_FROM && share < LOAD_SHOWS_OWN * ownShare) continue;
			// For requests, below full beyond this process's own unrefilled requests is others' use; its own share is known.
			// Answers that come at random moments of its own sending see its own use as it is: then the plain share is the load.
			const measured = unit === this.requests && !atRandom ? Math.min(1, this.othersBelow(unit, ownShare) + ownShare) : share;
			load = Math.max(load ?? 0, measured);
		}
		return load;
	}

	/**
	 * Whether this process's answers come at random moments of its own sending: their latencies
	 * spread (standard deviation) over more than the spacing of its requests, so an answer is as
	 * likely to find its own latest request still in the request bucket as any moment is. Then the
	 * share of answers that found the bucket below full is all senders' load, this process's own
	 * use included, as the share of time it is below full (bucketLoad), where the reading by its
	 * own requests not yet refilled reads high: at RPM 10,000 two processes each send 80 a second,
	 * 12.5 ms apart, and their requests overlap in the bucket nearly always. At RPM 600 a process
	 * sends 10 a second at most, 100 ms apart or more, and the bench's answers (300 ± 50 ms) never
	 * come at random moments of it.
	 */
	private answersAtRandom(ownShare: number): boolean {
		const unit = this.requests;
		// Not with three senders or more: the higher reading keeps them where they fit (bucketLoad).
		if (unit.window || !unit.limit || unit.busy.length < LOAD_MIN_SAMPLES || this.lately(this.lastManyAt) || ownShare <= 0) return false;
		const spacingMs = 1000 / (ownShare * (unit.limit / 60));
		const mean = unit.busy.reduce((sum, b) => sum + b.latencyMs, 0) / unit.busy.length;
		const variance = unit.busy.reduce((sum, b) => sum + (b.latencyMs - mean) ** 2, 0) / unit.busy.length;
		return Math.sqrt(variance) >= RANDOM_PHASE_SPREAD * spacingMs;
	}

	/**
	 * Whether others' use is read from the bucket as the headers stood at admission: with them
	 * written so (Unit.admitted), every answer counts its own request, and this process's own
	 * requests then (this one included) are what it alone would leave, so only what is below
	 * that is others'. Read as of the answer instead, its own request always showed as someone
	 * else's, and a process left alone, or beside one other at a small share, held where it was
	 * (in real n8n, the last two of four at 1.8 and 2.0 a second for 13 s). Only up to
	 * ADMITTED_OWN_UP_TO of the limit: above it a sender at about its rate may be out of sight.
	 * (Idle, at any share, needs shifts of its phase too: shiftPhase.)
	 */
	private readAdmitted(ownShare: number): boolean {
		return this.requests.admitted() && ownShare <= ADMITTED_OWN_UP_TO;
	}

	/** Others' share of the time a request bucket is below full (bucketLoad). */
	private othersBelow(unit: Unit, ownShare: number): number {
		const clear = unit.sawFull && !this.lately(this.lastManyAt) ? unit.busy.filter((b) => b.clear) : [];
		if (clear.length < CLEAR_MIN_SAMPLES) return belowShare(unit, true, this.readAdmitted(ownShare));
		return (clear.filter((b) => b.below).length / clear.length) * Math.max(0, 1 - ownShare);
	}

	/**
	 * What a short-window count says about the last second, as shares of the per-second
	 * budget: all of it (`used`), others' part, and whether it shows this process alone.
	 */
	private shortWindow(now: number): { used: number; others: number; alone: boolean } | undefined {
		let view: { used: number; others: number; alone: boolean } | undefined;
		const own = this.own(now);
		for (const [unit, mine] of [
			[this.requests, own.requests],
			[this.tokens, own.tokens],
		] as const) {
			if (!unit.window || !unit.limit || unit.remaining === undefined) continue;
			const budget = unit.limit / 60;
			const server = Math.max(0, unit.limit - unit.remaining) / 60;
			const others = (server - mine) / budget;
			view = {
				used: Math.max(view?.used ?? 0, server / budget),
				others: Math.max(view?.others ?? Number.NEGATIVE_INFINITY, others),
				alone: (view?.alone ?? true) && others < OTHERS_SHARE && (mine === 0 || server / mine >= SHOWS_OWN),
			};
		}
		return view;
	}

	/** Follows the short-window count, averaged over about SMOOTHING_MS; returns others' share. */
	private watch(window: { used: number; others: number }, now: number): number {
		const weight = 1 - Math.exp(-Math.max(0, now - this.watchedAt) / SMOOTHING_MS);
		this.watchedAt = now;
		this.usedShare += weight * (window.used - this.usedShare);
		this.othersShare += weight * (window.others - this.othersShare);
		return this.othersShare;
	}

	private remember(at: number, refused: boolean, spent: boolean): void {
		this.recent.push({ at, refused, spent });
		if (this.recent.length > RECENT) this.recent.shift();
	}

	private contended(now: number): void {
		this.lastContendedAt = now;
		this.aloneSince = undefined;
	}

	/** Multiplicative decrease, at most once per DECREASE_GUARD_MS. Returns whether it happened. */
	private decrease(factor: number, now: number): void {
		if (now - this.lastDecreaseAt < DECREASE_GUARD_MS) return;
		this.pace = Math.max(MIN_PACE, this.pace * factor);
		this.lastDecreaseAt = now;
	}

	/** Whether the headers say the budget is used up: no request, or not this one's tokens, left. */
	private empty(snapshot: RateLimitSnapshot, tokens: number): boolean {
		return (
			(snapshot.remainingRequests !== undefined && snapshot.remainingRequests < 1) ||
			(snapshot.remainingTokens !== undefined && snapshot.remainingTokens < Math.max(1, tokens))
		);
	}

	/**
	 * The local view: this process's own requests (or tokens) of the last second stay clearly
	 * under the per-second budget, so a spent budget means others spend too.
	 */
	private someoneElseSpends(now: number): boolean {
		const perSecond = this.requests.limit ? this.requests.limit / 60 : undefined;
		const tokensPerSecond = this.tokens.limit ? this.tokens.limit / 60 : undefined;
		if (!perSecond && !tokensPerSecond) return true;
		const own = this.own(now, 0);
		const requestsLeft = !perSecond || own.requests < OWN_SHARE_FOR_CONTENTION * perSecond;
		const tokensLeft = !tokensPerSecond || own.tokens < OWN_SHARE_FOR_CONTENTION * tokensPerSecond;
		return requestsLeft && tokensLeft;
	}

	/** Whether budget-spent 429s are the rule lately, not the odd one. */
	private spentOften(): boolean {
		const spent = this.recent.filter((r) => r.spent).length;
		return this.recent.length >= RECENT / 2 && spent >= SPENT_SHARE_FOR_CONTENTION * this.recent.length;
	}
}
