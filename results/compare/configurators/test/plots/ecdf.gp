set terminal pngcairo size 900,600 noenhanced
set output 'ecdf.png'
set xlabel "evaluations"
set ylabel "fraction of (problem, replicate, target) reached"
set logscale x
set key outside right
set grid

plot 'ecdf.dat' index 0 with lines lw 2 title 'candle', 'ecdf.dat' index 1 with lines lw 2 title 'gahpo1', 'ecdf.dat' index 2 with lines lw 2 title 'irace1', 'ecdf.dat' index 3 with lines lw 2 title 'gahpo2', 'ecdf.dat' index 4 with lines lw 2 title 'irace2', 'ecdf.dat' index 5 with lines lw 2 title 'gahpo3', 'ecdf.dat' index 6 with lines lw 2 title 'irace3'
