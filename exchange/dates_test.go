package exchange

import "testing"

// TestParseReceivedOn: the contract's dates, the day-first dates banks
// print, with or without a time; month-first and two-digit years are
// refused, naming received_on.
func TestParseReceivedOn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-05-01", "2024-05-01"},
		{" 2024-05-01 ", "2024-05-01"},
		{"2024-05-01 10:32", "2024-05-01"},
		{"2024-05-01 10:32:15", "2024-05-01"},
		{"2024-05-01T23:30:00+07:00", "2024-05-01"},
		{"2024-05-01T00:00:00Z", "2024-05-01"},
		{"01/05/2024", "2024-05-01"},
		{"1/5/2024", "2024-05-01"},
		{"01/05/2024 10:32:15", "2024-05-01"},
		{"01/05/2024  10:32", "2024-05-01"},
		{"01-05-2024", "2024-05-01"},
		{"01.05.2024", "2024-05-01"},
		{"31/12/2023", "2023-12-31"},
		{"", ""},
		{"2024-13-01", "2024-13-01"}, // left to Validate, which names the date
		{"05/13/2024", "!"},
		{"31/02/2024", "!"},
		{"1/5/24", "!"},
		{"2024/05/01", "!"},
		{"hôm qua", "!"},
		{"45413", "!"},
	}
	for _, tt := range tests {
		got, err := parseReceivedOn(tt.in)
		if tt.want == "!" {
			if err == nil || err.Field != "received_on" {
				t.Errorf("parseReceivedOn(%q) = %q, %v; want an error naming received_on", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseReceivedOn(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
