package main

import (
	"io"
	"strings"

	"github.com/rivo/uniseg"
)

// textTable lays out rows of text in columns for a terminal, measuring
// cells by the columns they take on screen (Vietnamese letters in NFC are
// one each; a wide character two) rather than by bytes or runes, and
// keeping every line within a width: the flexible column (the names) is
// cut with an ellipsis to what the others leave.
type textTable struct {
	cols []tableColumn
	rows [][]string // nil: a rule
}

// tableColumn is one column: its heading ("\n" breaks it over lines) and
// whether its cells align right (numbers).
type tableColumn struct {
	head  string
	right bool
}

const (
	tableGap     = 2  // spaces between columns
	minFlexWidth = 10 // the least the flexible column is cut to
)

// add appends a row of cells, one per column.
func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

// rule appends a line across the table.
func (t *textTable) rule() { t.rows = append(t.rows, nil) }

// write prints the table within width columns, cutting column flex to
// fit. Headings sit on their last lines, right above the cells.
func (t *textTable) write(w io.Writer, width, flex int) error {
	heads := make([][]string, len(t.cols))
	headLines := 0
	widths := make([]int, len(t.cols))
	for i, c := range t.cols {
		heads[i] = strings.Split(c.head, "\n")
		headLines = max(headLines, len(heads[i]))
		for _, h := range heads[i] {
			widths[i] = max(widths[i], uniseg.StringWidth(h))
		}
	}
	for _, r := range t.rows {
		for i, cell := range r {
			widths[i] = max(widths[i], uniseg.StringWidth(cell))
		}
	}
	total := tableGap * (len(widths) - 1)
	for _, n := range widths {
		total += n
	}
	if over := total - width; over > 0 {
		widths[flex] = max(minFlexWidth, widths[flex]-over)
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, cell := range cells {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", tableGap))
			}
			cell = truncate(cell, widths[i])
			pad := strings.Repeat(" ", widths[i]-uniseg.StringWidth(cell))
			if t.cols[i].right {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		b.WriteString("\n")
	}
	for l := range headLines {
		cells := make([]string, len(t.cols))
		for i := range t.cols {
			if k := l - (headLines - len(heads[i])); k >= 0 {
				cells[i] = heads[i][k]
			}
		}
		line(cells)
	}
	for _, r := range t.rows {
		if r == nil {
			r = make([]string, len(t.cols))
			for i := range r {
				r[i] = strings.Repeat("-", widths[i])
			}
		}
		line(r)
	}
	// No trailing blanks: a cell padded at the end of a line is noise in
	// a file or a mail.
	lines := strings.SplitAfter(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimSuffix(l, "\n"), " ")
		if strings.HasSuffix(l, "\n") {
			lines[i] += "\n"
		}
	}
	_, err := io.WriteString(w, strings.Join(lines, ""))
	return err
}

// truncate cuts s to at most width screen columns, ending it with "…"
// when something was cut; it never splits a letter from its marks.
func truncate(s string, width int) string {
	if uniseg.StringWidth(s) <= width {
		return s
	}
	var b strings.Builder
	used, state := 0, -1
	rest := s
	for rest != "" {
		var cluster string
		var w int
		cluster, rest, w, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if used+w > width-1 {
			break
		}
		b.WriteString(cluster)
		used += w
	}
	return strings.TrimRight(b.String(), " ") + "…"
}
