"""Series (bursts): frames of one scene seconds apart, grouped as photos arrive, and the best
frame of each, scored from sharpness, exposure, face size, eyes open and smile."""
