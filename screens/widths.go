package screens

// columnNeed is what a column asks of the table's width.
type columnNeed struct {
	// min: the header with its sort arrow; below it only when the window
	// cannot hold even that.
	min float32
	// want: the widest value in the column (within reason).
	want float32
	// share > 0 marks a column of names, which shares the room that is
	// left by this weight; 0 is a column of short values that takes what it
	// wants and no more (dates, status, OIN, type).
	share float32
	// give: a short-value column that may give up part of its width (down
	// to giveFloor of it) when the names would otherwise be cut to their
	// header (OIN and Type; never the date or Status).
	give bool
	// prefix and suffix: how many characters every value of the column
	// shares at its start and at its end; a name that must be cut is cut
	// where the rows are alike (certTable.fitText).
	prefix, suffix int
}

// giveFloor is how much of its width a giving column keeps, and
// nameComfort the width up to which names may take it.
const (
	giveFloor   = 0.6
	nameComfort = 200
)

// fitColumns divides width among the columns so that they always fit, so
// the last column (Status) is never pushed off screen:
//   - a column the user dragged to a width (pinned) keeps it;
//   - short-value columns take their widest value;
//   - name columns take their widest value when there is room, and share any
//     room left over by weight; when there is not, they share what is left in
//     proportion to their content, down to their header;
//   - when even that does not fit, dragged widths give way, then everything
//     shrinks in proportion.
func fitColumns(needs []columnNeed, pinned map[int]float32, width float32) []float32 {
	n := len(needs)
	w := make([]float32, n)
	if n == 0 {
		return w
	}
	width = max(width, 0)
	sum := func() float32 {
		var s float32
		for _, x := range w {
			s += x
		}
		return s
	}
	isPinned := func(i int) bool { _, ok := pinned[i]; return ok }
	flexible := func(i int) bool { return needs[i].share > 0 && !isPinned(i) }

	for i, c := range needs {
		switch {
		case isPinned(i):
			w[i] = max(pinned[i], c.min)
		default:
			w[i] = max(c.want, c.min)
		}
	}
	total := sum()
	switch {
	case total <= width:
		// Room to spare: name columns (or, without any, every free column)
		// grow by their weight.
		extra := width - total
		var weights float32
		for i := range needs {
			if flexible(i) {
				weights += needs[i].share
			}
		}
		if weights == 0 {
			for i := range needs {
				if !isPinned(i) {
					weights++
				}
			}
			for i := range needs {
				if !isPinned(i) {
					w[i] += extra / weights
				}
			}
			return w
		}
		for i := range needs {
			if flexible(i) {
				w[i] += extra * needs[i].share / weights
			}
		}
		return w
	default:
		// Too wide: name columns share what the others leave, in proportion
		// to their content but never below their header.
		var fixed float32
		var flex []int
		for i := range needs {
			if flexible(i) {
				flex = append(flex, i)
			} else {
				fixed += w[i]
			}
		}
		shareOut(w, needs, flex, width-fixed)
		// Names squeezed below a readable width take room from the columns
		// that can give some.
		var short float32
		for _, i := range flex {
			short += max(0, min(needs[i].want, nameComfort)-w[i])
		}
		var slack float32
		for i := range needs {
			if needs[i].give && !isPinned(i) {
				slack += max(0, w[i]-max(needs[i].min, needs[i].want*giveFloor))
			}
		}
		if take := min(short, slack); take > 0 && len(flex) > 0 {
			for i := range needs {
				if needs[i].give && !isPinned(i) {
					floor := max(needs[i].min, needs[i].want*giveFloor)
					w[i] -= max(0, w[i]-floor) * take / slack
				}
			}
			shareOut(w, needs, flex, width-fixed+take)
		}
	}
	if sum() <= width {
		return w
	}
	// Still too wide: dragged widths give way down to their header, then
	// the short-value columns, then everything in proportion.
	for _, group := range []func(int) bool{isPinned, func(i int) bool { return needs[i].share == 0 && !isPinned(i) }} {
		over := sum() - width
		var slack float32
		for i := range needs {
			if group(i) {
				slack += w[i] - needs[i].min
			}
		}
		if slack <= 0 {
			continue
		}
		take := min(1, over/slack)
		for i := range needs {
			if group(i) {
				w[i] -= (w[i] - needs[i].min) * take
			}
		}
		if sum() <= width+0.01 {
			return w
		}
	}
	scale := width / sum()
	for i := range w {
		w[i] *= scale
	}
	return w
}

// shareOut divides room among the columns in idx as water fills vessels:
// every column gets the same width times its share, but no less than its
// minimum and no more than it wants; what one does not need goes to the
// others. So a short name is shown whole and long names split the rest.
func shareOut(w []float32, needs []columnNeed, idx []int, room float32) {
	if len(idx) == 0 {
		return
	}
	at := func(level float32) float32 {
		var sum float32
		for _, i := range idx {
			sum += clampWidth(level*needs[i].share, needs[i])
		}
		return sum
	}
	lo, hi := float32(0), float32(1)
	for at(hi) < room && hi < 1e6 {
		hi *= 2
	}
	for k := 0; k < 40; k++ {
		mid := (lo + hi) / 2
		if at(mid) < room {
			lo = mid
		} else {
			hi = mid
		}
	}
	for _, i := range idx {
		w[i] = clampWidth(lo*needs[i].share, needs[i])
	}
}

// clampWidth keeps a width between a column's minimum and what it wants.
func clampWidth(x float32, n columnNeed) float32 {
	return max(n.min, min(x, max(n.want, n.min)))
}
