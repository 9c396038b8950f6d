set terminal pngcairo size 900,600 noenhanced
set output 'best_so_far.png'
set xlabel "evaluations"
set ylabel "error / CANDLE's first (geometric mean over problems)"
set logscale y
set key outside right
set grid

plot 'best_so_far.dat' index 0 with lines lw 2 title 'candle', 'best_so_far.dat' index 1 with lines lw 2 title 'tuned'
