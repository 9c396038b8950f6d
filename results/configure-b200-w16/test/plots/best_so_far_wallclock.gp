set terminal pngcairo size 900,600 noenhanced
set output 'best_so_far_wallclock.png'
set xlabel "simulated time, in evaluations done with no worker idle"
set ylabel "error / CANDLE's first (geometric mean over problems)"
set logscale y
set key outside right
set grid

plot 'best_so_far_wallclock.dat' index 0 with lines lw 2 title 'candle', 'best_so_far_wallclock.dat' index 1 with lines lw 2 title 'tuned'
