set terminal pngcairo size 900,600 noenhanced
set output 'best_so_far_wallclock.png'
set xlabel "simulated time, in evaluations done with no worker idle"
set ylabel "error / CANDLE's first (geometric mean over problems)"
set logscale y
set key outside right
set grid

plot 'best_so_far_wallclock.dat' index 0 with lines lw 2 title 'candle', 'best_so_far_wallclock.dat' index 1 with lines lw 2 title 'b48', 'best_so_far_wallclock.dat' index 2 with lines lw 2 title 'b100', 'best_so_far_wallclock.dat' index 3 with lines lw 2 title 'b200', 'best_so_far_wallclock.dat' index 4 with lines lw 2 title 'b500', 'best_so_far_wallclock.dat' index 5 with lines lw 2 title 'b1000', 'best_so_far_wallclock.dat' index 6 with lines lw 2 title 'irace48', 'best_so_far_wallclock.dat' index 7 with lines lw 2 title 'random'
