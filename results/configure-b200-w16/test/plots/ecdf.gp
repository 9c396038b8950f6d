set terminal pngcairo size 900,600 noenhanced
set output 'ecdf.png'
set xlabel "evaluations"
set ylabel "fraction of (problem, replicate, target) reached"
set logscale x
set key outside right
set grid

plot 'ecdf.dat' index 0 with lines lw 2 title 'candle', 'ecdf.dat' index 1 with lines lw 2 title 'tuned'
