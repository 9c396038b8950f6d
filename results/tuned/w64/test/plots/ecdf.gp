set terminal pngcairo size 900,600 noenhanced
set output 'ecdf.png'
set xlabel "evaluations"
set ylabel "fraction of (problem, replicate, target) reached"
set logscale x
set key outside right
set grid

plot 'ecdf.dat' index 0 with lines lw 2 title 'candle', 'ecdf.dat' index 1 with lines lw 2 title 'b48', 'ecdf.dat' index 2 with lines lw 2 title 'b100', 'ecdf.dat' index 3 with lines lw 2 title 'b200', 'ecdf.dat' index 4 with lines lw 2 title 'b500', 'ecdf.dat' index 5 with lines lw 2 title 'b1000', 'ecdf.dat' index 6 with lines lw 2 title 'irace48', 'ecdf.dat' index 7 with lines lw 2 title 'random'
