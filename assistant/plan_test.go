package assistant_test

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/assistant"
)

func TestCalculatePlan(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 11, 22, 15, 0, 0, 0, shanghai)
	tests := []struct {
		name        string
		req         assistant.PlanRequest
		wantAmounts []string
		wantDues    []string
		wantErr     string
	}{
		{
			name:        "playbook: 20000 at 5000 a month is 4 by the 10th",
			req:         assistant.PlanRequest{Balance: assistant.MustMoney("20000", "CNY"), MonthlyCapacity: assistant.MustMoney("5000", "CNY"), Start: start, Location: shanghai},
			wantAmounts: []string{"5000.00", "5000.00", "5000.00", "5000.00"},
			wantDues:    []string{"2026-12-10", "2027-01-10", "2027-02-10", "2027-03-10"},
		},
		{
			name:        "uneven capacity leaves a smaller last payment",
			req:         assistant.PlanRequest{Balance: assistant.MustMoney("1234.50", "USD"), MonthlyCapacity: assistant.MustMoney("500", "USD"), Start: start, Location: shanghai},
			wantAmounts: []string{"500.00", "500.00", "234.50"},
		},
		{
			name:        "three equal instalments keep every cent",
			req:         assistant.PlanRequest{Balance: assistant.MustMoney("100.00", "USD"), Installments: 3, Start: start, Location: shanghai},
			wantAmounts: []string{"33.34", "33.33", "33.33"},
		},
		{
			name:        "20 percent now and the rest over two months",
			req:         assistant.PlanRequest{Balance: assistant.MustMoney("10000", "CNY"), DownPaymentPercent: 20, Installments: 2, Start: start, Location: shanghai},
			wantAmounts: []string{"2000.00", "4000.00", "4000.00"},
			wantDues:    []string{"2026-11-25", "2026-12-10", "2027-01-10"},
		},
		{
			name:     "the first due date is at least a week away",
			req:      assistant.PlanRequest{Balance: assistant.MustMoney("300", "USD"), Installments: 1, DueDay: 25, Start: start, Location: shanghai},
			wantDues: []string{"2026-12-25"},
		},
		{name: "capacity too low", req: assistant.PlanRequest{Balance: assistant.MustMoney("20000", "CNY"), MonthlyCapacity: assistant.MustMoney("100", "CNY"), Start: start}, wantErr: "invalid_request"},
		{name: "currency mismatch", req: assistant.PlanRequest{Balance: assistant.MustMoney("200", "CNY"), MonthlyCapacity: assistant.MustMoney("100", "USD"), Start: start}, wantErr: "invalid_request"},
		{name: "nothing owed", req: assistant.PlanRequest{Balance: assistant.MustMoney("0", "CNY"), Start: start}, wantErr: "invalid_request"},
		{name: "day 31 does not exist every month", req: assistant.PlanRequest{Balance: assistant.MustMoney("10", "CNY"), DueDay: 31, Start: start}, wantErr: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := assistant.CalculatePlan(tt.req)
			if tt.wantErr != "" {
				if assistant.ErrorCode(err) != tt.wantErr {
					t.Fatalf("err = %v, want code %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan.Total().Minor != tt.req.Balance.Minor {
				t.Fatalf("plan totals %s, balance %s", plan.Total(), tt.req.Balance)
			}
			if tt.wantAmounts != nil {
				if len(plan.Installments) != len(tt.wantAmounts) {
					t.Fatalf("%d instalments, want %d", len(plan.Installments), len(tt.wantAmounts))
				}
				for i, w := range tt.wantAmounts {
					if got := plan.Installments[i].Amount.Amount(); got != w {
						t.Errorf("instalment %d = %s, want %s", i, got, w)
					}
				}
			}
			for i, w := range tt.wantDues {
				if got := plan.Installments[i].Due.Format(time.DateOnly); got != w {
					t.Errorf("due %d = %s, want %s", i, got, w)
				}
			}
		})
	}
}

func TestMoneyParse(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1234.5", "1234.50", true}, {"0.07", "0.07", true}, {"-3", "-3.00", true}, {"12", "12.00", true},
		{"1.234", "", false}, {"1e3", "", false}, {"", "", false}, {"12.", "", false}, {"abc", "", false},
	}
	for _, tt := range tests {
		m, err := assistant.ParseMoney(tt.in, "usd")
		if (err == nil) != tt.ok || (tt.ok && (m.Amount() != tt.want || m.Currency != "USD")) {
			t.Errorf("ParseMoney(%q) = %v, %v", tt.in, m, err)
		}
	}
}
