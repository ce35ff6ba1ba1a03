package gate

import "time"

func time0() time.Time           { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
func secs(n int64) time.Duration { return time.Duration(n) * time.Second }
