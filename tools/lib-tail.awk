# SPDX-License-Identifier: GPL-2.0
# tail_stop's report (tools/lib-bench.sh).  Input 1: hvl-rr rr -T's round
# trips in the order run ("start length", ns, CLOCK_MONOTONIC); input 2:
# perf script's lines ("[cpu] secs.ns: event: fields", on the same clock)
# for the scheduler's wakings and switches, the timer interrupts and the
# timers they run, and the irq_work and IPI interrupts.  -v p99: the
# length from which a round trip counts among the slowest; -v ncpu: the
# CPUs; -v tasks: a regular expression over the names of the tasks that
# carry a round trip.
#
# For each round trip, three views of the same time, which overlap:
# - its wake-ups: from a task's sched_waking to its switch in, counted
#   in the round trip its switch in falls in.  Its vCPU was idle if the
#   CPU it switched in on had switched to the idle task before the waking
#   and ran no task since; otherwise the task waited behind another;
# - the time no task ran on any CPU (interrupts, which have no exit
#   event here, count as no task): nothing runs the round trip and
#   nothing waits to run it, so it waits for an interrupt.  Each such
#   stretch ends with a switch in, named by what woke the task (the
#   waking and the event before it on the waking CPU), or else by the
#   two events before it on its CPU;
# - each task's CPU time, from switch to switch: the same work takes the
#   same CPU time in a slow round trip unless it runs slower, or its
#   vCPU does not run at all, which the guest cannot tell apart.
# Only the round trips between the moment every CPU has switched once
# and the last event count.

# "secs.frac" in ns; the leading "1" keeps the fraction's zeros from
# making busybox's awk read it as octal.
function ns(s, a) { split(s, a, "."); return a[1] * 1e9 + ("1" substr(a[2] "000000000", 1, 9)) - 1e9 }
function val(k) { return match($0, k "=[^ ]+") ? substr($0, RSTART + length(k) + 1, RLENGTH - length(k) - 1) : "" }
function task(c) { gsub(/[0-9]+/, "N", c); return c }
function sym(f) { sub(/\/0x.*|\+0x.*/, "", f); return f }

# the first round trip that ends after a: w, or one before it (a CPU's
# task or an idle stretch can span several round trips)
function first(a, j) {
	for (j = w > n ? n : w; j > 1 && st[j - 1] + len[j - 1] > a; j--)
		;
	return j
}

# task c ran on a CPU from a to b: add it to the round trips it overlaps
function ran(a, b, c, j, x, y) {
	for (j = first(a); j <= n && st[j] < b; j++) {
		x = a > st[j] ? a : st[j]
		y = b < st[j] + len[j] ? b : st[j] + len[j]
		if (y > x) {
			cpu_w[j, c] += y - x
			seen_task[c] = 1
		}
	}
}

# no task ran on any CPU from a to b, ended by why: add it to the round
# trips it overlaps
function all_idle(a, b, why, j, x, y) {
	for (j = first(a); j <= n && st[j] < b; j++) {
		x = a > st[j] ? a : st[j]
		y = b < st[j] + len[j] ? b : st[j] + len[j]
		if (y <= x)
			continue
		idle_all[j] += y - x
		if (y - x > gap[j]) {
			gap[j] = y - x
			gap_why[j] = why
		}
	}
}

function what(e) {
	if (e == "irq_vectors:local_timer_entry:")
		return "timer interrupt"
	if (e == "timer:hrtimer_expire_entry:")
		return "hrtimer " sym(val("function"))
	if (e == "timer:timer_expire_entry:")
		return "timer " sym(val("function"))
	if (e == "irq_vectors:irq_work_entry:")
		return "irq_work"
	if (e ~ /^irq_vectors:call_function/)
		return "function-call IPI"
	if (e == "irq_vectors:reschedule_entry:")
		return "rescheduling IPI"
	if (e == "sched:sched_waking:")
		return "wakes " task(val("comm"))
	return ""
}

FILENAME == ARGV[1] { n++; st[n] = $1; len[n] = $2; next }
!started { started = 1; w = 1 }
{
	t = ns(substr($2, 1, length($2) - 1))
	cpu = substr($1, 2, length($1) - 2)
	last = t
	while (w <= n && t > st[w] + len[w])
		w++
	in_w = 0
	if (w <= n && t >= st[w])
		in_w = w
	if ((d = what($3)) != "") {
		ev2[cpu] = ev1[cpu]
		ev1[cpu] = d
	}
}
$3 == "sched:sched_waking:" {
	p = val("pid")
	woke[p] = t
	# what woke it: the event before on the waking CPU, and the waking
	waker[p] = (ev2[cpu] != "" ? ev2[cpu] ", " : "") ev1[cpu]
	next
}
$3 == "sched:sched_switch:" {
	p = val("next_pid")
	if (cpu in busy) {
		nbusy -= busy[cpu]
		ran(since[cpu], t, cur[cpu])
	} else if (++known == ncpu) {
		t_known = t
	}
	busy[cpu] = (p != 0)
	nbusy += busy[cpu]
	since[cpu] = t
	cur[cpu] = (p == 0 ? "(idle)" : task(val("next_comm")))
	# Preempted, not asleep: its next switch in is no wake-up's.
	if (val("prev_state") ~ /^R/)
		delete woke[val("prev_pid")]
	if (p == 0) {
		idle_since[cpu] = t
		if (nbusy == 0 && t_known) {
			idle_start = t
			for (c in ev1)
				ev1[c] = ev2[c] = ""
		}
		next
	}
	if (nbusy == 1 && idle_start) {
		if (p in woke)
			d = waker[p]
		else
			d = (ev2[cpu] != "" ? ev2[cpu] ", " : "") ev1[cpu]
		all_idle(idle_start, t, (d != "" ? d ", " : "") "runs " cur[cpu])
		idle_start = 0
	}
	if (!(p in woke))
		next
	d = t - woke[p]
	idle = val("prev_pid") == 0 && (cpu in idle_since) && idle_since[cpu] <= woke[p]
	who = cur[cpu]
	delete woke[p]
	if (!in_w || who !~ tasks)
		next
	sum[in_w] += d
	if (d > maxd[in_w]) {
		maxd[in_w] = d
		if (idle)
			why[in_w] = who ", its vCPU idle"
		else if (val("prev_pid") == 0)
			why[in_w] = who ", its vCPU busy at the waking"
		else
			why[in_w] = who ", behind " task(val("prev_comm"))
		maxidle[in_w] = idle
	}
}
END {
	for (c in since)
		ran(since[c], last, cur[c])
	if (known < ncpu) {
		printf "  %d of %d CPUs switched tasks in the recording: no report\n", known, ncpu
		exit
	}
	for (i = 1; i <= n; i++) {
		if (st[i] < t_known || st[i] + len[i] > last) {
			out++
			continue
		}
		g = (len[i] >= p99 ? "slowest 1%" : "the rest")
		cnt[g]++
		L[g] += len[i]
		S[g] += (sum[i] > len[i] ? len[i] : sum[i])
		M[g] += maxd[i]
		W[g] += (maxd[i] > 0)
		I[g] += maxidle[i]
		A[g] += idle_all[i]
		for (c in seen_task)
			cpu_g[g, c] += cpu_w[i, c]
		if (g == "slowest 1%") {
			k[(why[i] == "" ? "(none)" : why[i])]++
			if (gap[i])
				e[gap_why[i]]++
		}
	}
	if (out)
		printf "  %d round trips outside the recording (before every CPU had switched, or after the last event) left out\n", out
	for (j = 0; j < 2; j++) {
		g = j ? "slowest 1%" : "the rest"
		if (!cnt[g])
			continue
		printf "  %-10s %5d, mean %6.0f us; of that, wake-ups %3.0f%%, the longest in each %3.0f%% (to an idle vCPU in %.0f%% of those with one);\n",
			g, cnt[g], L[g] / cnt[g] / 1e3, 100 * S[g] / L[g], 100 * M[g] / L[g], 100 * I[g] / (W[g] ? W[g] : 1)
		printf "  %-10s no task on any CPU %3.0f%%\n", "", 100 * A[g] / L[g]
	}
	if (!cnt["slowest 1%"])
		exit
	# The same work, slow or not: CPU time that grows in the slowest is
	# the work running slower, or its vCPU not running at all.
	for (c in seen_task) {
		v[c] = int(cpu_g["slowest 1%", c] / cnt["slowest 1%"] / 1e3 + 0.5)
		label[c] = c (cnt["the rest"] ? sprintf(" (%.0f)", cpu_g["the rest", c] / cnt["the rest"] / 1e3) : "")
	}
	print "  CPU time per round trip, by task: us in the slowest 1% (us in the rest)"
	top(v)
	for (c in label)
		delete label[c]
	print "  the slowest 1%'s longest wake-up, by task:"
	top(k)
	print "  the slowest 1%'s longest stretch with no task on any CPU, by what ended it:"
	top(e)
}

# top(a): a's keys (or label[key]) by their values, highest first, at most 8
function top(a, best, x, m) {
	for (m = 0; m < 8; m++) {
		best = ""
		for (x in a)
			if (best == "" || a[x] + 0 > a[best] + 0)
				best = x
		if (best == "")
			break
		printf "%8d  %s\n", a[best], ((best in label) ? label[best] : best)
		delete a[best]
	}
}
